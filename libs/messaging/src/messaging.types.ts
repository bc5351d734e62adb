import type { ServiceName } from '@weft/contracts';

export interface MessagingOptions {
  service: ServiceName;
  instanceId: string;
  servers: string[];
  subjectPrefix?: string;
  requestTimeoutMs: number;
}

/** What a handler learns about the message besides its payload. */
export interface MessageContext {
  correlationId: string;
  workspaceId?: string;
  subject: string;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
