import { Gauge, Registry } from 'prom-client';
import { addBacklogReader, collectBacklogs } from './jetstream-backlog';

describe('the JetStream backlog gauge', () => {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'test_backlog', help: 'test', labelNames: ['stream', 'consumer'] as const, registers: [registry] });

  it("sets one series per consumer from every reader, drops a failing reader's consumers and forgets removed readers", async () => {
    const removeNodes = addBacklogReader(async () => [{ consumer: 'node-runner', pending: 7, stream: 'WF_NODES' }]);
    const removeAudit = addBacklogReader(async () => [{ consumer: 'compliance-audit-trail', pending: 2, stream: 'AUDIT' }]);
    const removeBroken = addBacklogReader(() => Promise.reject(new Error('NATS timed out')));
    try {
      await collectBacklogs(gauge);
      const values = (await gauge.get()).values.map((v) => [v.labels['stream'], v.labels['consumer'], v.value]);
      expect(values).toEqual(
        expect.arrayContaining([
          ['WF_NODES', 'node-runner', 7],
          ['AUDIT', 'compliance-audit-trail', 2],
        ]),
      );
      expect(values).toHaveLength(2);
      removeAudit();
      await collectBacklogs(gauge);
      expect((await gauge.get()).values.map((v) => v.labels['consumer'])).toEqual(['node-runner']);
    } finally {
      removeNodes();
      removeAudit();
      removeBroken();
    }
  });
});
