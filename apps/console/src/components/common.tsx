import { Alert, Badge, Code, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ApiError } from '../api';
import { formatJson } from '../lib/format';
import { statusColor } from '../lib/status';

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor(status)} variant="light" data-status={status}>
      {status}
    </Badge>
  );
}

export function ErrorNote({ error, title = 'Something went wrong' }: { error: ApiError | null; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert">
      {error.message} {error.code !== 'error' ? <Code>{error.code}</Code> : null}
    </Alert>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Stack align="center" p="lg">
      <Loader aria-label={label} />
    </Stack>
  );
}

export function PageTitle({ children, right }: { children: ReactNode; right?: ReactNode }) {
  return (
    <Stack gap={4} mb="md">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 16 }}>
        <Title order={1} size="h2">
          {children}
        </Title>
        {right}
      </div>
    </Stack>
  );
}

export function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {label}
      </Text>
      <Code block aria-label={label} style={{ maxHeight: 260, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {formatJson(value)}
      </Code>
    </Stack>
  );
}
