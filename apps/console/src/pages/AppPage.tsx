import { Alert, Anchor, Badge, Button, Code, CopyButton, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorNote, Loading, PageTitle } from '../components/common';
import { formatTime } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useSession } from '../session';
import type { ApiKey, AppItem } from '../types';

function asError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'error', String(e));
}

function ApiKeys({ appId }: { appId: string }) {
  const keys = useApi<{ data: ApiKey[] }>(`/apps/${appId}/api-keys`);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const create = async () => {
    setError(null);
    try {
      setCreated(await api.post<ApiKey>(`/apps/${appId}/api-keys`));
      keys.reload();
    } catch (e) {
      setError(asError(e));
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.delete(`/apps/${appId}/api-keys/${id}`);
      if (created?.id === id) setCreated(null);
      keys.reload();
    } catch (e) {
      setError(asError(e));
    }
  };

  return (
    <Paper withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            API keys
          </Title>
          <Button onClick={() => void create()}>Create API key</Button>
        </Group>
        <ErrorNote error={error ?? keys.error} />
        {created ? (
          <Alert color="blue" title="Your new API key: copy it now, it is shown only once" role="status">
            <Group>
              <Code data-testid="new-api-key">{created.token}</Code>
              <CopyButton value={created.token}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
              <Button size="xs" variant="subtle" onClick={() => setCreated(null)}>
                Done
              </Button>
            </Group>
          </Alert>
        ) : null}
        <Table aria-label="API keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(keys.data?.data ?? []).map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td>
                  <Code>{key.token}</Code>
                </Table.Td>
                <Table.Td>{formatTime(key.created_at)}</Table.Td>
                <Table.Td>{formatTime(key.last_used_at)}</Table.Td>
                <Table.Td>
                  <Button size="xs" color="red" variant="light" onClick={() => void revoke(key.id)} aria-label={`Revoke key ${key.token}`}>
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Paper>
  );
}

export function AppPage() {
  const { appId = '' } = useParams();
  const session = useSession();
  const app = useApi<AppItem>(`/apps/${appId}`);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const publish = async () => {
    setError(null);
    setMessage(null);
    try {
      const answer = await api.post<{ version: string }>(`/apps/${appId}/workflows/publish`);
      setMessage(`Published version ${answer.version}.`);
    } catch (e) {
      setError(asError(e));
    }
  };
  const exportDsl = async () => {
    setError(null);
    try {
      const answer = await api.get<{ data: string }>(`/apps/${appId}/export`);
      const url = URL.createObjectURL(new Blob([answer.data], { type: 'application/x-yaml' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${app.data?.name ?? 'app'}.yml`;
      a.click();
      URL.revokeObjectURL(url);
      setMessage('Exported the DSL.');
    } catch (e) {
      setError(asError(e));
    }
  };

  if (app.error) return <ErrorNote error={app.error} title="App not found" />;
  if (!app.data) return <Loading />;
  const chat = ['chat', 'advanced-chat', 'agent-chat'].includes(app.data.mode);
  return (
    <Stack>
      <PageTitle
        right={
          session.canEdit ? (
            <Group>
              <Button onClick={() => void publish()}>Publish</Button>
              <Button variant="default" onClick={() => void exportDsl()}>
                Export DSL
              </Button>
            </Group>
          ) : null
        }
      >
        {app.data.name} <Badge variant="outline">{app.data.mode}</Badge>
      </PageTitle>
      {message ? (
        <Alert color="green" role="status">
          {message}
        </Alert>
      ) : null}
      <ErrorNote error={error} />
      {app.data.description ? <Text>{app.data.description}</Text> : null}
      <Group>
        <Anchor component={Link} to={`/apps/${appId}/runs`}>
          Runs
        </Anchor>
        {chat ? (
          <Anchor component={Link} to={`/apps/${appId}/conversations`}>
            Conversations
          </Anchor>
        ) : null}
      </Group>
      {session.canEdit ? <ApiKeys appId={appId} /> : <Text c="dimmed">API keys are managed by editors.</Text>}
    </Stack>
  );
}
