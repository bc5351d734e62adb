import { ActionIcon, Anchor, Button, Grid, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, query } from '../api';
import { ErrorNote, PageTitle, StatusBadge } from '../components/common';
import { formatTime } from '../lib/format';
import { useSession } from '../session';
import type { Conversation, Message, Paged } from '../types';

function Messages({ appId, conversationId }: { appId: string; conversationId: string }) {
  const session = useSession();
  const [messages, setMessages] = useState<Message[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    async (firstId: string | null) => {
      try {
        const page = await api.get<Paged<Message>>(
          `/apps/${appId}/chat-messages${query({ conversation_id: conversationId, limit: 20, first_id: firstId })}`,
        );
        setMessages((prev) => (firstId ? [...page.data, ...prev] : page.data));
        setHasMore(page.has_more);
        setError(null);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
      }
    },
    [appId, conversationId],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const rate = async (message: Message, rating: 'like' | 'dislike') => {
    const next = message.feedback?.rating === rating ? null : rating;
    try {
      await api.post(`/apps/${appId}/feedbacks`, { message_id: message.id, rating: next });
      setMessages((prev) => prev.map((m) => (m.id === message.id ? { ...m, feedback: next ? { rating: next } : null } : m)));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    }
  };

  return (
    <Stack>
      <ErrorNote error={error} />
      {hasMore ? (
        <Button variant="default" w="fit-content" onClick={() => void load(messages[0]?.id ?? null)}>
          Load earlier messages
        </Button>
      ) : null}
      {messages.map((m) => (
        <Paper withBorder p="sm" key={m.id} data-message-id={m.id}>
          <Stack gap={6}>
            <Text size="sm" fw={600}>
              {m.query}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {m.answer}
            </Text>
            {m.error ? (
              <Text size="sm" c="red">
                {m.error}
              </Text>
            ) : null}
            <Group gap="xs" justify="space-between">
              <Group gap="xs">
                <StatusBadge status={m.status} />
                <Text size="xs" c="dimmed">
                  {formatTime(m.created_at)} · {m.message_tokens + m.answer_tokens} tokens
                </Text>
                {m.workflow_run_id ? (
                  <Anchor component={Link} size="xs" to={`/apps/${appId}/runs/${m.workflow_run_id}`}>
                    Run
                  </Anchor>
                ) : null}
              </Group>
              <Group gap={4}>
                {(['like', 'dislike'] as const).map((r) => (
                  <ActionIcon
                    key={r}
                    variant={m.feedback?.rating === r ? 'filled' : 'default'}
                    aria-pressed={m.feedback?.rating === r}
                    aria-label={r === 'like' ? 'Good answer' : 'Bad answer'}
                    disabled={!session.canEdit}
                    onClick={() => void rate(m, r)}
                  >
                    <span aria-hidden="true">{r === 'like' ? '👍' : '👎'}</span>
                  </ActionIcon>
                ))}
              </Group>
            </Group>
          </Stack>
        </Paper>
      ))}
      {messages.length === 0 ? <Text c="dimmed">No messages.</Text> : null}
    </Stack>
  );
}

export function ConversationsPage() {
  const { appId = '' } = useParams();
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    async (lastId: string | null) => {
      try {
        const page = await api.get<Paged<Conversation>>(`/apps/${appId}/chat-conversations${query({ limit: 20, last_id: lastId })}`);
        setConversations((prev) => (lastId ? [...prev, ...page.data] : page.data));
        setHasMore(page.has_more);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
      }
    },
    [appId],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <Stack>
      <PageTitle>Conversations</PageTitle>
      <ErrorNote error={error} />
      <Grid>
        <Grid.Col span={5}>
          <Table highlightOnHover aria-label="Conversations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Conversation</Table.Th>
                <Table.Th>End user</Table.Th>
                <Table.Th>Messages</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {conversations.map((c) => (
                <Table.Tr key={c.id} className={selected === c.id ? 'weft-row-selected' : undefined}>
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" onClick={() => setSelected(c.id)}>
                      {c.name || c.id.slice(0, 8)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{c.from_end_user_session_id ?? '—'}</Table.Td>
                  <Table.Td>{c.message_count}</Table.Td>
                  <Table.Td>{formatTime(c.updated_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {hasMore ? (
            <Button variant="default" mt="sm" onClick={() => void load(conversations[conversations.length - 1]?.id ?? null)}>
              Load more
            </Button>
          ) : null}
          {conversations.length === 0 ? <Text c="dimmed">No conversations yet.</Text> : null}
        </Grid.Col>
        <Grid.Col span={7}>
          <Title order={2} size="h4" mb="sm">
            Messages
          </Title>
          {selected ? <Messages appId={appId} conversationId={selected} /> : <Text c="dimmed">Choose a conversation.</Text>}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
