import type { RequestSubject, ServiceName } from '@weft/contracts';

export interface MessagingOptions {
  service: ServiceName;
  instanceId: string;
  servers: string[];
  subjectPrefix?: string;
  requestTimeoutMs: number;
  /**
   * The subjects of the service this process must answer, checked at start-up; by default every subject
   * the service owns. Only an app that runs part of a service (an integration test of one module) names
   * the part it runs.
   */
  handles?: readonly RequestSubject[];
}

/** What a handler learns about the message besides its payload. */
export interface MessageContext {
  correlationId: string;
  workspaceId?: string;
  subject: string;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
