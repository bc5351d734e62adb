import { Alert, Button, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, query } from '../api';
import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/common';
import { useApi } from '../lib/use-api';
import type { AuditPage as AuditPageData, AuditRecord, AuditVerification } from '../types';

const ACTOR_TYPES = ['account', 'api_key', 'end_user', 'system'];

function toIso(value: string): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function Verification() {
  const verify = useApi<AuditVerification>('/audit/verify');
  if (verify.error) return <ErrorNote error={verify.error} title="The chain could not be verified" />;
  if (!verify.data) return <Loading label="Verifying the chain" />;
  const v = verify.data;
  return v.result === 'ok' ? (
    <Alert color="green" title="Audit chain verified" role="status" data-testid="chain-result">
      {v.checked} records checked; the chain is intact up to record {v.head.seq} (<Code>{v.head.hash.slice(0, 16)}…</Code>).
    </Alert>
  ) : (
    <Alert color="red" title="Audit chain broken" role="alert" data-testid="chain-result">
      {v.checked} records checked before the first break: <Code>{JSON.stringify(v.first_broken)}</Code>
    </Alert>
  );
}

export function AuditPage() {
  const [form, setForm] = useState({ actor_type: '', actor_id: '', action: '', resource_type: '', resource_id: '', start: '', end: '' });
  const [filters, setFilters] = useState(form);
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (from: string | null) => {
      setLoading(true);
      try {
        const page = await api.get<AuditPageData>(
          `/audit/logs${query({
            limit: 50,
            cursor: from,
            actor_type: filters.actor_type,
            actor_id: filters.actor_id,
            action: filters.action,
            resource_type: filters.resource_type,
            resource_id: filters.resource_id,
            start: toIso(filters.start),
            end: toIso(filters.end),
          })}`,
        );
        setRecords((prev) => (from ? [...prev, ...page.data] : page.data));
        setCursor(page.has_more ? page.next_cursor : null);
        setError(null);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
      } finally {
        setLoading(false);
      }
    },
    [filters],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(form);
  };
  const field = (name: keyof typeof form, label: string, type = 'text') => (
    <TextInput label={label} type={type} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
  );

  return (
    <Stack>
      <PageTitle>Audit trail</PageTitle>
      <Verification />
      <form onSubmit={apply} aria-label="Filter audit records">
        <Group align="flex-end" gap="sm">
          <Select
            label="Actor type"
            placeholder="Any"
            clearable
            w={140}
            value={form.actor_type || null}
            onChange={(v) => setForm({ ...form, actor_type: v ?? '' })}
            data={ACTOR_TYPES}
          />
          {field('actor_id', 'Actor id')}
          {field('action', 'Action')}
          {field('resource_type', 'Resource type')}
          {field('resource_id', 'Resource id')}
          {field('start', 'From', 'datetime-local')}
          {field('end', 'To', 'datetime-local')}
          <Button type="submit">Apply filters</Button>
        </Group>
      </form>
      <ErrorNote error={error} />
      <Table striped aria-label="Audit records">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Resource</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {records.map((r) => (
            <Table.Tr key={r.id} data-action={r.action}>
              <Table.Td>{r.seq}</Table.Td>
              <Table.Td>{new Date(r.occurred_at).toLocaleString()}</Table.Td>
              <Table.Td>
                <Code>{r.action}</Code>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={r.outcome} />
              </Table.Td>
              <Table.Td>
                <Text size="xs">{r.actor.type}</Text>
                <Text size="xs" ff="monospace" c="dimmed">
                  {r.actor.id ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{r.resource.type}</Text>
                <Text size="xs" ff="monospace" c="dimmed">
                  {r.resource.id ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{r.ip ?? '—'}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace" lineClamp={2}>
                  {JSON.stringify(r.details)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
          {!loading && records.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={8}>
                <Text c="dimmed">No records match.</Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
        </Table.Tbody>
      </Table>
      {loading ? <Loading /> : null}
      {cursor && !loading ? (
        <Button variant="default" w="fit-content" onClick={() => void load(cursor)}>
          Load more
        </Button>
      ) : null}
    </Stack>
  );
}
