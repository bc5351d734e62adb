import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@weft/contracts';

/** An audit event as a service records it (a system action, fresh id), for tests that need one on the AUDIT stream. */
export function testAuditEvent(fields: Partial<AuditEvent> = {}): AuditEvent {
  return {
    action: 'test.event',
    actor: { id: 'compliance', type: 'system' },
    correlationId: null,
    details: {},
    id: randomUUID(),
    ip: null,
    occurredAt: new Date().toISOString(),
    outcome: 'success',
    resource: { id: null, type: 'test' },
    service: 'compliance',
    userAgent: null,
    workspaceId: null,
    ...fields,
  };
}
