import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, type Tokens } from './api';
import { preloadedValue, takePreloaded } from './lib/preload';
import type { Role, Workspace, WorkspaceListItem } from './types';

export interface Session {
  signedIn: boolean;
  workspace: Workspace | null;
  workspaces: WorkspaceListItem[];
  /** Why the workspace could not be loaded, if it could not. */
  loadError: ApiError | null;
  /** editor, admin or owner: may change apps, stop runs, give feedback. */
  canEdit: boolean;
  /** admin or owner: audit trail, system, model provider credentials. */
  isAdmin: boolean;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  switchWorkspace(id: string): Promise<void>;
  reload(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export const EDIT_ROLES: Role[] = ['owner', 'admin', 'editor'];
export const ADMIN_ROLES: Role[] = ['owner', 'admin'];

export function SessionProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(api.signedIn);
  // Answers the console's first script may already have (the page then draws without a loading step).
  const [workspace, setWorkspace] = useState<Workspace | null>(() => preloadedValue<Workspace>('/workspaces/current'));
  const [workspaces, setWorkspaces] = useState<WorkspaceListItem[]>(
    () => preloadedValue<{ workspaces: WorkspaceListItem[] }>('/workspaces')?.workspaces ?? [],
  );

  const [loadError, setLoadError] = useState<ApiError | null>(null);

  useEffect(() => api.onChange(setSignedIn), []);

  const reload = useCallback(async () => {
    const [current, list] = await Promise.all([
      takePreloaded<Workspace>('/workspaces/current') ?? api.get<Workspace>('/workspaces/current'),
      takePreloaded<{ workspaces: WorkspaceListItem[] }>('/workspaces') ?? api.get<{ workspaces: WorkspaceListItem[] }>('/workspaces'),
    ]);
    setWorkspace(current);
    setWorkspaces(list.workspaces);
    setLoadError(null);
  }, []);

  useEffect(() => {
    if (!signedIn) {
      setWorkspace(null);
      setWorkspaces([]);
      return;
    }
    reload().catch((e: unknown) => setLoadError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
  }, [signedIn, reload]);

  const session = useMemo<Session>(
    () => ({
      signedIn,
      workspace,
      workspaces,
      loadError,
      canEdit: workspace !== null && EDIT_ROLES.includes(workspace.role),
      isAdmin: workspace !== null && ADMIN_ROLES.includes(workspace.role),
      login: (email, password) => api.login(email, password),
      logout: () => api.logout(),
      switchWorkspace: async (id) => {
        const answer = await api.post<Pick<Tokens, 'access_token'>>('/workspaces/switch', { tenant_id: id });
        api.setAccessToken(answer.access_token);
        await reload();
      },
      reload,
    }),
    [signedIn, workspace, workspaces, loadError, reload],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
