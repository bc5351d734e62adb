import { Anchor, Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError, query } from '../api';
import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/common';
import { formatDuration, formatTime } from '../lib/format';
import type { AppItem, Paged, RunListItem } from '../types';

const STATUSES = ['running', 'succeeded', 'failed', 'stopped', 'partial-succeeded'];

/** `datetime-local` value to Unix seconds. */
function toUnix(value: string): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export function RunsPage() {
  const { appId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const [app, setApp] = useState<AppItem | null>(null);
  const [runs, setRuns] = useState<RunListItem[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [form, setForm] = useState({
    status: params.get('status') ?? '',
    after: params.get('after') ?? '',
    before: params.get('before') ?? '',
    end_user: params.get('end_user') ?? '',
    keyword: params.get('keyword') ?? '',
  });

  const filters = useCallback(
    () => ({
      status: params.get('status'),
      created_at__after: toUnix(params.get('after') ?? ''),
      created_at__before: toUnix(params.get('before') ?? ''),
      end_user: params.get('end_user'),
      keyword: params.get('keyword'),
    }),
    [params],
  );

  const load = useCallback(
    async (lastId: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Paged<RunListItem>>(
          `/apps/${appId}/workflow-runs${query({ limit: 20, last_id: lastId, ...filters() })}`,
        );
        setRuns((prev) => (lastId ? [...prev, ...page.data] : page.data));
        setHasMore(page.has_more);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
      } finally {
        setLoading(false);
      }
    },
    [appId, filters],
  );

  useEffect(() => {
    void load(null);
  }, [load]);
  useEffect(() => {
    api
      .get<AppItem>(`/apps/${appId}`)
      .then(setApp)
      .catch(() => setApp(null));
  }, [appId]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v) next.set(k, v);
    setParams(next);
  };

  return (
    <Stack>
      <PageTitle>
        Runs{' '}
        {app ? (
          <Anchor component={Link} to={`/apps/${appId}`} size="lg">
            of {app.name}
          </Anchor>
        ) : null}
      </PageTitle>
      <form onSubmit={apply} aria-label="Filter runs">
        <Group align="flex-end" gap="sm">
          <Select
            label="Status"
            placeholder="Any"
            clearable
            w={170}
            value={form.status || null}
            onChange={(v) => setForm({ ...form, status: v ?? '' })}
            data={STATUSES}
          />
          <TextInput
            label="From"
            type="datetime-local"
            value={form.after}
            onChange={(e) => setForm({ ...form, after: e.currentTarget.value })}
          />
          <TextInput
            label="To"
            type="datetime-local"
            value={form.before}
            onChange={(e) => setForm({ ...form, before: e.currentTarget.value })}
          />
          <TextInput
            label="End user"
            placeholder="id or session id"
            value={form.end_user}
            onChange={(e) => setForm({ ...form, end_user: e.currentTarget.value })}
          />
          <TextInput label="Text in inputs" value={form.keyword} onChange={(e) => setForm({ ...form, keyword: e.currentTarget.value })} />
          <Button type="submit">Apply filters</Button>
          <Button variant="default" onClick={() => void load(null)}>
            Refresh
          </Button>
        </Group>
      </form>
      <ErrorNote error={error} />
      <Table striped highlightOnHover aria-label="Runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Steps</Table.Th>
            <Table.Th>Tokens</Table.Th>
            <Table.Th>End user</Table.Th>
            <Table.Th>Triggered from</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Table.Tr key={run.id} data-run-id={run.id}>
              <Table.Td>
                <Anchor component={Link} to={`/apps/${appId}/runs/${run.id}`} ff="monospace" size="sm">
                  {run.id.slice(0, 8)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={run.status} />
              </Table.Td>
              <Table.Td>{formatTime(run.created_at)}</Table.Td>
              <Table.Td>{formatDuration(run.elapsed_time)}</Table.Td>
              <Table.Td>{run.total_steps}</Table.Td>
              <Table.Td>{run.total_tokens}</Table.Td>
              <Table.Td>{run.created_by_end_user?.session_id ?? (run.created_by_account ? 'console' : '—')}</Table.Td>
              <Table.Td>{run.triggered_from}</Table.Td>
            </Table.Tr>
          ))}
          {!loading && runs.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={8}>
                <Text c="dimmed">No runs match.</Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
        </Table.Tbody>
      </Table>
      {loading ? <Loading label="Loading runs" /> : null}
      {hasMore && !loading ? (
        <Button variant="default" w="fit-content" onClick={() => void load(runs[runs.length - 1]?.id ?? null)}>
          Load more
        </Button>
      ) : null}
    </Stack>
  );
}
