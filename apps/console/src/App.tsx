import {
  ActionIcon,
  AppShell,
  Button,
  Group,
  NavLink,
  Select,
  Stack,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorNote, Loading } from './components/common';
import { AppPage } from './pages/AppPage';
import { AppsPage } from './pages/AppsPage';
import { AuditPage } from './pages/AuditPage';
import { ConversationsPage } from './pages/ConversationsPage';
import { DatasetPage, DocumentPage, KnowledgePage } from './pages/KnowledgePages';
import { LoginPage } from './pages/LoginPage';
import { NotAllowedPage, NotFoundPage } from './pages/NotAllowedPage';
import { ProvidersPage } from './pages/ProvidersPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SystemPage } from './pages/SystemPage';
import { useSession } from './session';

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      onClick={() => setColorScheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      <span aria-hidden="true">{scheme === 'dark' ? '☀' : '☾'}</span>
    </ActionIcon>
  );
}

function WorkspaceSwitcher() {
  const session = useSession();
  if (!session.workspace) return null;
  return (
    <Group gap="xs">
      <Select
        aria-label="Workspace"
        size="sm"
        w={220}
        allowDeselect={false}
        value={session.workspace.id}
        data={session.workspaces.map((w) => ({ value: w.id, label: w.name }))}
        onChange={(id) => {
          if (id && id !== session.workspace?.id) void session.switchWorkspace(id);
        }}
      />
      <Text size="sm" c="dimmed" data-testid="role">
        {session.workspace.role}
      </Text>
    </Group>
  );
}

function Nav() {
  const session = useSession();
  const { pathname } = useLocation();
  const links: { to: string; label: string; admin?: boolean }[] = [
    { to: '/apps', label: 'Apps' },
    { to: '/knowledge', label: 'Knowledge' },
    { to: '/providers', label: 'Model providers', admin: true },
    { to: '/audit', label: 'Audit trail', admin: true },
    { to: '/system', label: 'System', admin: true },
  ];
  return (
    <nav aria-label="Main">
      <Stack gap={2}>
        {links
          .filter((l) => !l.admin || session.isAdmin)
          .map((l) => (
            <NavLink
              key={l.to}
              component={Link}
              to={l.to}
              label={l.label}
              active={pathname === l.to || pathname.startsWith(`${l.to}/`)}
              aria-current={pathname.startsWith(l.to) ? 'page' : undefined}
            />
          ))}
      </Stack>
    </nav>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
      <a className="weft-skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={2} size="h4">
            Weft console
          </Title>
          <Group gap="sm">
            <WorkspaceSwitcher />
            <ThemeToggle />
            <Button variant="default" onClick={() => void session.logout()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <Nav />
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}

/** An admin page: a member without the role sees why, even when they typed the address. */
function AdminOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  if (!session.workspace) return <Loading />;
  return session.isAdmin ? children : <NotAllowedPage />;
}

export function App() {
  const session = useSession();
  const location = useLocation();
  if (!session.signedIn) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  // The pages wait for the workspace (and so the role); switching workspace remounts them, since everything
  // they show belongs to one workspace.
  if (!session.workspace)
    return (
      <Shell>
        {session.loadError ? (
          <Stack maw={640}>
            <ErrorNote error={session.loadError} title="The workspace could not be loaded" />
            <Button variant="default" w="fit-content" onClick={() => void session.reload().catch(() => undefined)}>
              Try again
            </Button>
          </Stack>
        ) : (
          <Loading label="Loading the workspace" />
        )}
      </Shell>
    );
  return (
    <Shell>
      <Routes key={session.workspace.id}>
        <Route path="/" element={<Navigate to="/apps" replace />} />
        <Route path="/login" element={<Navigate to="/apps" replace />} />
        <Route path="/apps" element={<AppsPage />} />
        <Route path="/apps/:appId" element={<AppPage />} />
        <Route path="/apps/:appId/runs" element={<RunsPage />} />
        <Route path="/apps/:appId/runs/:runId" element={<RunPage />} />
        <Route path="/apps/:appId/conversations" element={<ConversationsPage />} />
        <Route path="/knowledge" element={<KnowledgePage />} />
        <Route path="/knowledge/:datasetId" element={<DatasetPage />} />
        <Route path="/knowledge/:datasetId/documents/:documentId" element={<DocumentPage />} />
        <Route
          path="/providers"
          element={
            <AdminOnly>
              <ProvidersPage />
            </AdminOnly>
          }
        />
        <Route
          path="/audit"
          element={
            <AdminOnly>
              <AuditPage />
            </AdminOnly>
          }
        />
        <Route
          path="/system"
          element={
            <AdminOnly>
              <SystemPage />
            </AdminOnly>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Shell>
  );
}
