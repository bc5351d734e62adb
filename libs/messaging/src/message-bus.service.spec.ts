import type { BusMetrics } from '@weft/metrics';
import { MessageBus } from './message-bus.service';
import type { MessagingOptions } from './messaging.types';

function busOf(options: Partial<MessagingOptions> & Pick<MessagingOptions, 'service'>): MessageBus {
  return new MessageBus({ instanceId: 'test', requestTimeoutMs: 100, servers: [], ...options }, {} as BusMetrics);
}

describe('MessageBus checks each use against the contract table', () => {
  const runner = busOf({ service: 'node-runner' });

  it('refuses a request the service is not a declared caller of, before it reaches NATS', async () => {
    await expect(runner.request('wf.run.start.v1', {} as never)).rejects.toThrow(
      'The node-runner service may not send "wf.run.start.v1": the contract table (libs/contracts/src/subjects.contract.ts) does not grant it',
    );
    // A declared caller gets as far as the (missing) connection.
    await expect(runner.request('kb.retrieve.v1', {} as never, { grant: 'g1.a.b' })).rejects.toThrow('The message bus is not connected');
  });

  it('refuses publishing, listening to, consuming and answering subjects the service has no part in', async () => {
    expect(() => runner.publish('wf.run.event.v1', 'run-1', {} as never)).toThrow('may not publish "wf.run.event.v1"');
    expect(() => runner.listen('wf.run.event.v1', '*', () => undefined)).toThrow('may not listen to "wf.run.event.v1"');
    expect(() => runner.consume('audit.event.v1', 'steal', async () => undefined)).toThrow('may not consume "audit.event.v1"');
    expect(() => runner.handle('gateway.provider-credentials.v1', async () => ({}) as never)).toThrow(
      'may not answer "gateway.provider-credentials.v1"',
    );
    await expect(runner.publishEvent('wf.node.execute.v1', {} as never, 'id')).rejects.toThrow('may not publish "wf.node.execute.v1"');
  });

  it('lets every service answer a broadcast, and the operator use anything', async () => {
    expect(() => runner.handle('system.status.v1', async () => ({}) as never)).not.toThrow();
    const operator = busOf({ operator: true, service: 'node-runner' });
    await expect(operator.request('wf.run.start.v1', {} as never)).rejects.toThrow('The message bus is not connected');
  });
});

describe('MessageBus for a grant-bound service (the node runner)', () => {
  it('sends nothing without the grant of the job it works for', async () => {
    const runner = busOf({ service: 'node-runner' });
    await expect(runner.request('kb.retrieve.v1', {} as never)).rejects.toThrow(
      'The node-runner service sends "kb.retrieve.v1" only with the grant of the job it works for',
    );
    await expect(runner.request('kb.retrieve.v1', {} as never, { grant: 'g1.a.b' })).rejects.toThrow('The message bus is not connected');
  });
});
