import { Alert, Button, Stack } from '@mantine/core';
import { Link } from 'react-router';
import { PageTitle } from '../components/common';
import { useSession } from '../session';

export function NotAllowedPage() {
  const session = useSession();
  return (
    <Stack maw={640}>
      <PageTitle>Not allowed</PageTitle>
      <Alert color="orange" title="This page is for workspace admins" role="alert">
        Your role in {session.workspace?.name ?? 'this workspace'} is <b>{session.workspace?.role}</b>. The audit trail, the system page and
        the model provider credentials need the admin or owner role; ask an owner of the workspace.
      </Alert>
      <Button component={Link} to="/apps" variant="default" w="fit-content">
        Back to apps
      </Button>
    </Stack>
  );
}

export function NotFoundPage() {
  return (
    <Stack maw={640}>
      <PageTitle>Page not found</PageTitle>
      <Button component={Link} to="/apps" variant="default" w="fit-content">
        Back to apps
      </Button>
    </Stack>
  );
}
