/** The five services, by the name they use on the bus, in logs and in metrics. */
export const SERVICE_NAMES = ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Services that run tenant work (workflow nodes, user code beside them) and so are not trusted with any
 * workspace but the one of the job they hold: each request they send carries that job's signed grant
 * and travels on the subject's job form (`job.<subject>`), which only they may publish; the answering
 * service checks the grant and holds the request to the grant's workspace.
 */
export const GRANT_BOUND_SERVICES: readonly ServiceName[] = ['node-runner'];

/** The wire form of a request subject as a grant-bound service sends it. */
export function jobSubject(subject: string): string {
  return `job.${subject}`;
}

/** What a job grant vouches for: work of this run, in this workspace, until `expiresAt` (Unix ms). See JobGrants in @weft/security. */
export interface JobGrantClaims {
  workspaceId: string;
  runId: string;
  expiresAt: number;
}
