import type { MessageBus } from '@weft/messaging';
import type { JobGrants } from '@weft/security';
import { VariablePool, type GraphNode } from '@weft/workflow';
import type { NodeContext } from '../engine/engine.types';
import { NodeJobDispatcher } from './node-job-dispatcher.service';

// A few seconds without nats-server (a restart) must not fail the node: the chaos test's NATS restart
// failed runs with "Could not reach the node runners" before queuing was retried.
describe('NodeJobDispatcher: queuing a node job while NATS is briefly away', () => {
  const node = { data: { title: 'code', type: 'code' }, id: 'js', type: 'code' } as unknown as GraphNode;
  const ctx = {
    appId: 'a',
    runId: 'r',
    signal: new AbortController().signal,
    workspaceId: 'w',
    emitChunk: () => undefined,
  } as unknown as NodeContext;

  function setUp(failures: number) {
    const handlers: Record<string, (payload: unknown) => void> = {};
    const published: string[] = [];
    let calls = 0;
    const bus = {
      listen: (subject: string, _key: string, handler: (payload: unknown) => void) => {
        handlers[subject] = handler;
        return () => undefined;
      },
      publish: () => undefined,
      publishEvent: async (_subject: string, job: { jobId: string }, id: string) => {
        calls++;
        if (calls <= failures) throw new Error('No answer on "wf.node.execute.v1" in time');
        published.push(id);
        expect(id).toBe(job.jobId);
        // The node runner answers on this orchestrator's result subject.
        setTimeout(() => handlers['wf.node.result.v1']!({ jobId: id, outputs: { result: 'OK' }, status: 'succeeded' }), 10);
      },
    } as unknown as MessageBus;
    const dispatcher = new NodeJobDispatcher(bus, { issue: () => 'grant' } as unknown as JobGrants);
    dispatcher.listen('orch-1');
    return { calls: () => calls, dispatcher, published };
  }

  it('tries again with the same job id until JetStream takes the job, and the node succeeds', async () => {
    const { calls, dispatcher, published } = setUp(2);
    const outcome = await dispatcher.execute(node, new VariablePool(), ctx);
    expect(outcome.status).toBe('succeeded');
    expect(calls()).toBe(3);
    expect(published).toHaveLength(1);
  });
});
