import { Alert, Anchor, Badge, Button, FileInput, Group, List, Modal, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorNote, Loading, PageTitle } from '../components/common';
import { formatTime } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useSession } from '../session';
import type { AppItem, ImportResult, Paged } from '../types';

function ImportProblems({ result }: { result: ImportResult }) {
  if (result.problems.length === 0) return null;
  const failed = result.status === 'failed';
  return (
    <Alert
      color={failed ? 'red' : 'yellow'}
      title={failed ? 'The DSL was not imported' : 'Imported with warnings'}
      role="alert"
      data-testid="import-problems"
    >
      <List size="sm" spacing={4}>
        {result.problems.map((p, i) => (
          <List.Item key={i}>
            {p.node_id ? (
              <>
                Node <b data-testid="problem-node">{p.node_id}</b>:{' '}
              </>
            ) : null}
            {p.message}{' '}
            <Text span c="dimmed" size="xs">
              ({p.code}
              {p.path ? `, ${p.path}` : ''})
            </Text>
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function ImportModal({ opened, onClose, onImported }: { opened: boolean; onClose(): void; onImported(result: ImportResult): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    setFile(null);
    setText('');
    setName('');
    setResult(null);
    setError(null);
    onClose();
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const yaml = file ? await file.text() : text;
      const answer = await api.post<ImportResult>('/apps/imports', { mode: 'yaml-content', yaml_content: yaml, ...(name ? { name } : {}) });
      setResult(answer);
      if (answer.status !== 'failed') onImported(answer);
    } catch (e) {
      const body = e instanceof ApiError ? (e.body as Partial<ImportResult> | null) : null;
      if (body && Array.isArray(body.problems) && body.status === 'failed') setResult(body as ImportResult);
      else setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title="Import a DSL file" size="lg">
      <Stack>
        <FileInput
          label="DSL file (.yml)"
          placeholder="Choose a file"
          accept=".yml,.yaml,text/yaml"
          value={file}
          onChange={setFile}
          clearable
        />
        <Textarea
          label="…or paste the DSL"
          autosize
          minRows={4}
          maxRows={12}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          disabled={file !== null}
        />
        <TextInput label="Name (optional)" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <ErrorNote error={error} title="Import failed" />
        {result ? <ImportProblems result={result} /> : null}
        {result && result.status !== 'failed' ? (
          <Alert color="green" title="Imported" role="status">
            The app was imported.
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Close
          </Button>
          <Button onClick={() => void submit()} loading={busy} disabled={!file && text.trim() === ''}>
            Import
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function AppsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const apps = useApi<Paged<AppItem>>(`/apps?page=${page}&limit=30`);
  const [importing, setImporting] = useState(false);

  return (
    <Stack>
      <PageTitle right={session.canEdit ? <Button onClick={() => setImporting(true)}>Import DSL</Button> : null}>Apps</PageTitle>
      <ErrorNote error={apps.error} />
      {apps.loading && !apps.data ? <Loading /> : null}
      {apps.data ? (
        <Table striped highlightOnHover aria-label="Apps">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Mode</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Runs</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {apps.data.data.map((app) => (
              <Table.Tr key={app.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/apps/${app.id}`}>
                    {app.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge variant="outline">{app.mode}</Badge>
                </Table.Td>
                <Table.Td>{formatTime(app.created_at)}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/apps/${app.id}/runs`}>
                    Runs
                  </Anchor>
                  {app.mode === 'chat' || app.mode === 'advanced-chat' || app.mode === 'agent-chat' ? (
                    <>
                      {' · '}
                      <Anchor component={Link} to={`/apps/${app.id}/conversations`}>
                        Conversations
                      </Anchor>
                    </>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
            {apps.data.data.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text c="dimmed">No apps yet.{session.canEdit ? ' Import a DSL file to add one.' : ''}</Text>
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
        <Button variant="default" disabled={!apps.data?.has_more} onClick={() => setPage((p) => p + 1)}>
          Next page
        </Button>
      </Group>
      <ImportModal
        opened={importing}
        onClose={() => setImporting(false)}
        onImported={(result) => {
          apps.reload();
          if (result.app_id && result.problems.length === 0) {
            setImporting(false);
            void navigate(`/apps/${result.app_id}`);
          }
        }}
      />
    </Stack>
  );
}
