import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { ErrorNote, Loading, PageTitle, StatusBadge } from '../components/common';
import { formatDuration, formatTime } from '../lib/format';
import { useApi } from '../lib/use-api';
import type { SystemStatus } from '../types';

const REFRESH_MS = 10_000;

export function SystemPage() {
  const status = useApi<SystemStatus>('/system/status');
  const { reload } = status;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <Stack>
      <PageTitle
        right={
          <Group>
            {status.data?.links.grafana ? (
              <Button component="a" href={status.data.links.grafana} target="_blank" rel="noreferrer" variant="default">
                Open Grafana
              </Button>
            ) : null}
            <Button variant="default" onClick={reload}>
              Refresh
            </Button>
          </Group>
        }
      >
        System
      </PageTitle>
      <ErrorNote error={status.error} />
      {!status.data ? <Loading /> : null}
      {status.data ? (
        <>
          <Group>
            <StatusBadge status={status.data.status} />
            <Text size="sm" c="dimmed">
              Checked {formatTime(status.data.checked_at)}
            </Text>
            {status.data.links.trace_url_template ? (
              <Text size="sm" c="dimmed">
                Traces: open a run to follow its trace link.
              </Text>
            ) : (
              <Text size="sm" c="dimmed">
                Tracing links are off (CONSOLE_TRACE_URL_TEMPLATE).
              </Text>
            )}
          </Group>
          <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
            {status.data.services.map((s) => (
              <Paper withBorder p="md" key={s.name} data-service={s.name}>
                <Group justify="space-between" mb="xs">
                  <Title order={2} size="h5">
                    {s.name}
                  </Title>
                  <StatusBadge status={s.status} />
                </Group>
                <Text size="xs" c="dimmed">
                  {s.version ?? '—'} · up {formatDuration(s.uptime_seconds)} · {s.instances.length} replica
                  {s.instances.length === 1 ? '' : 's'}
                </Text>
                <Group gap={4} mt="xs">
                  {Object.entries(s.dependencies).map(([dep, state]) => (
                    <Badge key={dep} size="xs" color={state === 'up' ? 'green' : 'red'} variant="light">
                      {dep} {state}
                    </Badge>
                  ))}
                </Group>
                <Table mt="xs" aria-label={`${s.name} replicas`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Replica</Table.Th>
                      <Table.Th>Ready</Table.Th>
                      <Table.Th>Uptime</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.instances.map((i) => (
                      <Table.Tr key={i.instance_id}>
                        <Table.Td>
                          <Text size="xs" ff="monospace">
                            {i.instance_id}
                          </Text>
                        </Table.Td>
                        <Table.Td>{i.ready ? 'yes' : 'no'}</Table.Td>
                        <Table.Td>{formatDuration(i.uptime_seconds)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                {s.warnings.map((w) => (
                  <Text key={w} size="xs" c="orange">
                    {w}
                  </Text>
                ))}
              </Paper>
            ))}
          </SimpleGrid>
          <Title order={2} size="h4">
            Work-queue backlogs
          </Title>
          <Table aria-label="Work queues" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Stream</Table.Th>
                <Table.Th>Consumer</Table.Th>
                <Table.Th>Pending</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(status.data.queues ?? []).map((q) => (
                <Table.Tr key={`${q.stream}/${q.consumer}`}>
                  <Table.Td>{q.stream}</Table.Td>
                  <Table.Td>{q.consumer}</Table.Td>
                  <Table.Td>{q.pending}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {status.data.links.grafana ? (
            <Anchor href={status.data.links.grafana} target="_blank" rel="noreferrer">
              Grafana dashboards
            </Anchor>
          ) : (
            <Text size="sm" c="dimmed">
              No Grafana link configured (CONSOLE_GRAFANA_URL).
            </Text>
          )}
        </>
      ) : null}
    </Stack>
  );
}
