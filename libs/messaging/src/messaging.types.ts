import type { JobGrantClaims, RequestSubject, ServiceName } from '@weft/contracts';

export interface MessagingOptions {
  service: ServiceName;
  instanceId: string;
  servers: string[];
  subjectPrefix?: string;
  requestTimeoutMs: number;
  /** JetStream replicas of every stream this process creates or (as its manager) updates; 1 when absent. */
  streamReplicas?: number;
  /**
   * The subjects of the service this process must answer, checked at start-up; by default every subject
   * the service owns. Only an app that runs part of a service (an integration test of one module) names
   * the part it runs.
   */
  handles?: readonly RequestSubject[];
  /**
   * The NKey seed of this service's NATS user (NATS_CREDENTIALS_DIR/<service>.nk). Absent: the
   * connection is anonymous, which only a NATS without authentication accepts.
   */
  nkeySeed?: string;
  /** TLS to the NATS server: a CA to trust, and a client certificate when the server asks for one. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /**
   * Operator tools and tests that drive several services' subjects: connect as the operator user and
   * skip the check of each use against the contract table. Never set by a service.
   */
  operator?: boolean;
  /**
   * Checks a job grant (JobGrants.verify from @weft/security), in services that answer grant-bound
   * callers; throws when the grant is missing, forged or expired.
   */
  verifyGrant?: (grant: string | undefined) => JobGrantClaims;
}

/** A request from a grant-bound service refused for its grant, as reported to the audit trail. */
export interface GrantRefusal {
  subject: string;
  reason: string;
  /** The workspace the grant was for (null when there was no good grant) and the one the request named. */
  grantWorkspaceId: string | null;
  requestedWorkspaceId: string | null;
}

/** What a handler learns about the message besides its payload. */
export interface MessageContext {
  correlationId: string;
  /** From a verified grant on requests of grant-bound services; otherwise what the trusted caller said. */
  workspaceId?: string;
  subject: string;
  /** The job grant a grant-bound caller's request carried, once checked. */
  grant?: JobGrantClaims;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
