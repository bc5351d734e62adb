import { DomainError, type ErrorCode, RemoteError } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { runWithContext } from '@weft/logging';
import { randomUUID } from 'node:crypto';
import { offerStartAudit, startAuditHandoff } from '../audit/started-run.util';
import { isUnanswered, RunDispatchService } from './run-dispatch.service';

const start = {
  appId: '00000000-0000-4000-8000-000000000001',
  chat: null,
  createdFrom: 'service-api' as const,
  creator: { accountId: null, endUserId: null, role: 'end_user' as const, sessionId: 'u' },
  files: [],
  inputs: {},
  runId: '00000000-0000-4000-8000-000000000002',
  taskId: '00000000-0000-4000-8000-000000000003',
  workflowId: null,
  workspaceId: '00000000-0000-4000-8000-000000000004',
};
const answer = {
  annotationReply: null,
  conversationId: null,
  createdAt: 1,
  runId: start.runId,
  taskId: start.taskId,
  workflowId: start.appId,
};
const remote = (code: ErrorCode) => new RemoteError({ code, correlationId: 'c', message: code }, 'wf.run.start.v1');

/** A bus whose start requests fail with `failures` in turn, then answer; it records each attempt sent. */
function busFailing(failures: unknown[], reply: Record<string, unknown> = answer) {
  const attempts: number[] = [];
  const audits: unknown[] = [];
  const bus = {
    request: (_subject: string, payload: { attempt: number; audit: unknown }) => {
      attempts.push(payload.attempt);
      audits.push(payload.audit);
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve(reply);
    },
  } as unknown as MessageBus;
  return { attempts, audits, bus };
}

describe('RunDispatchService', () => {
  it('sends a start again, same run id and a higher attempt, while nothing answers', async () => {
    const { attempts, bus } = busFailing([
      new DomainError('unavailable', 'no responders'),
      new DomainError('timeout', 'late'),
      remote('internal_error'),
    ]);
    await expect(new RunDispatchService(bus, { deadlineMs: 30_000 }).start(start)).resolves.toEqual(answer);
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('does not send a refused start again', async () => {
    const { attempts, bus } = busFailing([remote('invalid_param')]);
    await expect(new RunDispatchService(bus, { deadlineMs: 30_000 }).start(start)).rejects.toMatchObject({ code: 'invalid_param' });
    expect(attempts).toEqual([1]);
  });

  it('gives up with the last error at the dispatch deadline', async () => {
    const { attempts, bus } = busFailing(Array.from({ length: 100 }, () => new DomainError('unavailable', 'no responders')));
    await expect(new RunDispatchService(bus, { deadlineMs: 1000 }).start(start)).rejects.toMatchObject({ code: 'unavailable' });
    expect(attempts.length).toBeGreaterThan(2);
    expect(attempts.length).toBeLessThan(10);
  });

  it('tells an unanswered start from a refusal', () => {
    expect(isUnanswered(new DomainError('timeout', 'x'))).toBe(true);
    expect(isUnanswered(remote('not_found'))).toBe(false);
    expect(isUnanswered(remote('conflict'))).toBe(false);
    expect(isUnanswered(new Error('bug'))).toBe(false);
  });

  it("sends the request's run.started event with every attempt, built once, and notes whether the orchestrator stored it", async () => {
    let built = 0;
    const prepare = () => {
      built++;
      return { action: 'run.started', id: randomUUID() } as never;
    };
    for (const auditStored of [true, false]) {
      const { audits, bus } = busFailing([new DomainError('unavailable', 'no responders')], { ...answer, auditStored });
      const handoff = await runWithContext({ correlationId: 'c' }, async () => {
        offerStartAudit(prepare);
        await new RunDispatchService(bus, { deadlineMs: 30_000 }).start(start);
        return startAuditHandoff();
      });
      expect(audits).toHaveLength(2);
      expect(audits[1]).toBe(audits[0]);
      expect(handoff).toMatchObject({ event: audits[0], stored: auditStored });
    }
    expect(built).toBe(2);
    // A route that offers no event sends none.
    const { audits, bus } = busFailing([]);
    await runWithContext({ correlationId: 'c' }, () => new RunDispatchService(bus, { deadlineMs: 30_000 }).start(start));
    expect(audits).toEqual([null]);
  });
});
