import { Anchor, Badge, Button, Checkbox, Group, Paper, Progress, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/common';
import { formatTime } from '../lib/format';
import { useApi } from '../lib/use-api';
import type { Dataset, DocumentItem, HitRecord, Paged, Segment } from '../types';

/** Indexing states that still change: the page polls while a document is in one. */
const IN_PROGRESS = new Set(['waiting', 'queuing', 'parsing', 'cleaning', 'splitting', 'indexing']);
const POLL_MS = 1500;
/** Without a document being indexed the list is looked at again now and then: new documents come through the API. */
const IDLE_POLL_MS = 5000;

export function KnowledgePage() {
  const [page, setPage] = useState(1);
  const datasets = useApi<Paged<Dataset>>(`/datasets?page=${page}&limit=30`);
  return (
    <Stack>
      <PageTitle>Knowledge</PageTitle>
      <ErrorNote error={datasets.error} />
      {datasets.loading && !datasets.data ? <Loading /> : null}
      {datasets.data ? (
        <Table striped highlightOnHover aria-label="Datasets">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Dataset</Table.Th>
              <Table.Th>Documents</Table.Th>
              <Table.Th>Words</Table.Th>
              <Table.Th>Indexing</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {datasets.data.data.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/knowledge/${d.id}`}>
                    {d.name}
                  </Anchor>
                  {d.description ? (
                    <Text size="xs" c="dimmed">
                      {d.description}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{d.document_count}</Table.Td>
                <Table.Td>{d.word_count}</Table.Td>
                <Table.Td>{d.indexing_technique ?? '—'}</Table.Td>
                <Table.Td>{formatTime(d.created_at)}</Table.Td>
              </Table.Tr>
            ))}
            {datasets.data.data.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <Text c="dimmed">No datasets yet (they are made through the Knowledge API).</Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
      ) : null}
      <Group>
        <Button variant="default" disabled={page === 1} onClick={() => setPage((p) => p - 1)}>
          Previous page
        </Button>
        <Button variant="default" disabled={!datasets.data?.has_more} onClick={() => setPage((p) => p + 1)}>
          Next page
        </Button>
      </Group>
    </Stack>
  );
}

const METHODS = [
  { value: 'semantic_search', label: 'Vector' },
  { value: 'full_text_search', label: 'Full text' },
  { value: 'hybrid_search', label: 'Hybrid' },
  { value: 'keyword_search', label: 'Keyword' },
];

interface MethodResult {
  method: string;
  records: HitRecord[];
  error: ApiError | null;
}

function RetrievalTest({ dataset }: { dataset: Dataset }) {
  const economy = dataset.indexing_technique === 'economy';
  const [text, setText] = useState('');
  const [methods, setMethods] = useState<string[]>(economy ? ['keyword_search'] : ['semantic_search', 'full_text_search', 'hybrid_search']);
  const [results, setResults] = useState<MethodResult[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const answers = await Promise.all(
      methods.map(async (method): Promise<MethodResult> => {
        try {
          const answer = await api.post<{ records: HitRecord[] }>(`/datasets/${dataset.id}/hit-testing`, {
            query: text,
            retrieval_model: { search_method: method, reranking_enable: false, top_k: 5, score_threshold_enabled: false },
          });
          return { method, records: answer.records, error: null };
        } catch (e) {
          return { method, records: [], error: e instanceof ApiError ? e : new ApiError(0, 'error', String(e)) };
        }
      }),
    );
    setResults(answers);
    setBusy(false);
  };

  return (
    <Paper withBorder p="md">
      <form onSubmit={(e) => void submit(e)} aria-label="Retrieval test">
        <Stack>
          <Title order={2} size="h4">
            Retrieval test
          </Title>
          <Textarea label="Query" required value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} />
          <Checkbox.Group label="Search methods" value={methods} onChange={setMethods}>
            <Group mt={4}>
              {METHODS.map((m) => (
                <Checkbox key={m.value} value={m.value} label={m.label} disabled={economy && m.value !== 'keyword_search'} />
              ))}
            </Group>
          </Checkbox.Group>
          <Button type="submit" loading={busy} w="fit-content" disabled={methods.length === 0 || !text.trim()}>
            Test retrieval
          </Button>
        </Stack>
      </form>
      <Stack mt="md">
        {results.map((r) => (
          <Stack key={r.method} gap={4} data-method={r.method}>
            <Text fw={600}>{METHODS.find((m) => m.value === r.method)?.label ?? r.method}</Text>
            <ErrorNote error={r.error} title="This method failed" />
            {r.records.length === 0 && !r.error ? <Text c="dimmed">Nothing found.</Text> : null}
            {r.records.map((rec, i) => (
              <Paper key={`${rec.segment.id}-${i}`} withBorder p="xs">
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Text size="sm" lineClamp={3}>
                    {rec.segment.content}
                  </Text>
                  <Badge variant="light" data-testid="score">
                    {typeof rec.score === 'number' ? rec.score.toFixed(3) : '—'}
                  </Badge>
                </Group>
                {rec.segment.document?.name ? (
                  <Text size="xs" c="dimmed">
                    {rec.segment.document.name}
                  </Text>
                ) : null}
              </Paper>
            ))}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

export function DatasetPage() {
  const { datasetId = '' } = useParams();
  // The contract has no single-dataset route: the dataset comes from the list (up to 100 per page).
  const list = useApi<Paged<Dataset>>('/datasets?page=1&limit=100');
  const dataset = { data: list.data?.data.find((d) => d.id === datasetId) ?? null, error: list.error };
  const [docs, setDocs] = useState<DocumentItem[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api
      .get<Paged<DocumentItem>>(`/datasets/${datasetId}/documents?page=1&limit=100`)
      .then((page) => {
        if (cancelled) return;
        setDocs(page.data);
        setError(null);
      })
      .catch((e: unknown) => !cancelled && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
    return () => {
      cancelled = true;
    };
  }, [datasetId, tick]);

  // Live indexing status: polled often while a document is being indexed, now and then otherwise.
  const indexing = (docs ?? []).some((d) => IN_PROGRESS.has(d.indexing_status));
  useEffect(() => {
    const timer = setTimeout(() => setTick((t) => t + 1), indexing ? POLL_MS : IDLE_POLL_MS);
    return () => clearTimeout(timer);
  }, [indexing, docs, error]);

  return (
    <Stack>
      <PageTitle>{dataset.data?.name ?? 'Dataset'}</PageTitle>
      <Anchor component={Link} to="/knowledge" size="sm">
        ← All datasets
      </Anchor>
      <ErrorNote error={error ?? dataset.error} />
      {indexing ? <Progress value={100} animated striped aria-label="Indexing in progress" /> : null}
      {docs === null ? <Loading /> : null}
      {docs ? (
        <Table striped highlightOnHover aria-label="Documents">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Document</Table.Th>
              <Table.Th>Indexing status</Table.Th>
              <Table.Th>Words</Table.Th>
              <Table.Th>Tokens</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {docs.map((d) => (
              <Table.Tr key={d.id} data-document-id={d.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/knowledge/${datasetId}/documents/${d.id}`}>
                    {d.name}
                  </Anchor>
                  {d.error ? (
                    <Text size="xs" c="red">
                      {d.error}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td data-testid="indexing-status">
                  <StatusBadge status={d.indexing_status} />
                </Table.Td>
                <Table.Td>{d.word_count ?? '—'}</Table.Td>
                <Table.Td>{d.tokens ?? '—'}</Table.Td>
                <Table.Td>{formatTime(d.created_at)}</Table.Td>
              </Table.Tr>
            ))}
            {docs.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <Text c="dimmed">No documents.</Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
      ) : null}
      {dataset.data ? <RetrievalTest dataset={dataset.data} /> : null}
    </Stack>
  );
}

export function DocumentPage() {
  const { datasetId = '', documentId = '' } = useParams();
  const segments = useApi<Paged<Segment>>(`/datasets/${datasetId}/documents/${documentId}/segments`);
  return (
    <Stack>
      <PageTitle>Segments</PageTitle>
      <Anchor component={Link} to={`/knowledge/${datasetId}`} size="sm">
        ← Documents
      </Anchor>
      <ErrorNote error={segments.error} />
      {segments.loading && !segments.data ? <Loading /> : null}
      {(segments.data?.data ?? []).map((s) => (
        <Paper withBorder p="sm" key={s.id}>
          <Group justify="space-between" mb={4}>
            <Text size="xs" c="dimmed">
              #{s.position} · {s.word_count} words · {s.tokens} tokens{s.hit_count !== undefined ? ` · ${s.hit_count} hits` : ''}
            </Text>
            {s.status ? <StatusBadge status={s.status} /> : null}
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {s.content}
          </Text>
        </Paper>
      ))}
      {segments.data && segments.data.data.length === 0 ? <Text c="dimmed">No segments.</Text> : null}
    </Stack>
  );
}
