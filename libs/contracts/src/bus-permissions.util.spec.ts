import { allBusPermissions, busPermissions, inboxPrefixOf } from './bus-permissions.util';
import { GRANT_BOUND_SERVICES, jobSubject, SERVICE_NAMES } from './services.contract';
import { CONTRACTS, type RequestContract, type Subject } from './subjects.contract';

describe('busPermissions', () => {
  it('lets a service answer the requests it owns and send only those it is a declared caller of', () => {
    const runner = busPermissions('node-runner');
    expect(runner.publish).toEqual(
      expect.arrayContaining(['job.gateway.provider-credentials.v1', 'job.kb.retrieve.v1', 'wf.node.result.v1']),
    );
    expect(runner.publish).not.toContain('wf.run.start.v1');
    expect(runner.publish).not.toContain('audit.logs.v1');
    expect(runner.subscribe).toContain('wf.model.generate.v1');
    expect(runner.subscribe).not.toContain('gateway.provider-credentials.v1');
    expect(busPermissions('gateway').subscribe).toEqual(
      expect.arrayContaining(['gateway.provider-credentials.v1', 'job.gateway.provider-credentials.v1']),
    );
  });

  it('sends a grant-bound service (the node runner) only through the job form of a subject, which its owner answers', () => {
    const runner = busPermissions('node-runner');
    expect(GRANT_BOUND_SERVICES).toEqual(['node-runner']);
    expect(
      runner.publish.filter((s) => !s.startsWith('job.') && !s.startsWith('$JS.') && CONTRACTS[s as Subject]?.kind === 'request'),
    ).toEqual([]);
    expect(busPermissions('rag').publish).toContain('gateway.provider-credentials.v1');
    expect(busPermissions('rag').subscribe).toEqual(expect.arrayContaining(['kb.retrieve.v1', 'job.kb.retrieve.v1']));
    expect(busPermissions('orchestrator').subscribe).not.toContain('job.wf.run.start.v1');
  });

  it('derives every request owner and caller from the contract table', () => {
    const all = allBusPermissions();
    for (const subject of Object.keys(CONTRACTS) as Subject[]) {
      const contract = CONTRACTS[subject];
      if (contract.kind !== 'request') continue;
      const { owner, callers } = contract as RequestContract<unknown, unknown>;
      for (const service of SERVICE_NAMES) {
        const sent = all[service].publish.includes(GRANT_BOUND_SERVICES.includes(service) ? jobSubject(subject) : subject);
        expect([subject, service, sent]).toEqual([subject, service, callers.includes(service)]);
        const answers = owner === 'broadcast' || owner === service;
        expect([subject, service, all[service].subscribe.includes(subject)]).toEqual([subject, service, answers]);
      }
    }
  });

  it('keeps live run events, audit events and node jobs away from services that do not use them', () => {
    expect(busPermissions('node-runner').subscribe).not.toContain('wf.run.event.v1.*');
    expect(busPermissions('gateway').subscribe).toContain('wf.run.event.v1.*');
    // A run's ending, heard by blocking callers: the orchestrator alone publishes it, the gateway alone listens.
    expect(busPermissions('node-runner').subscribe).not.toContain('wf.run.ended.v1.*');
    expect(busPermissions('gateway').subscribe).toContain('wf.run.ended.v1.*');
    expect(busPermissions('gateway').publish).not.toContain('wf.run.ended.v1.*');
    expect(busPermissions('orchestrator').publish).toContain('wf.run.ended.v1.*');
    expect(busPermissions('gateway').publish).not.toContain('$JS.API.CONSUMER.MSG.NEXT.AUDIT.>');
    expect(busPermissions('compliance').publish).toContain('$JS.API.CONSUMER.MSG.NEXT.AUDIT.>');
    expect(busPermissions('gateway').publish).not.toContain('wf.node.execute.v1');
    expect(busPermissions('orchestrator').publish).toContain('wf.node.execute.v1');
  });

  it('grants nobody a purge or delete of a stream or its messages, and stream changes only to its manager', () => {
    for (const p of Object.values(allBusPermissions({ kind: 'any' }))) {
      expect(p.publish.filter((s) => /PURGE|DELETE|\$JS\.API\.>|^>$/.test(s))).toEqual([]);
    }
    expect(busPermissions('compliance').publish).toContain('$JS.API.STREAM.UPDATE.AUDIT');
    expect(busPermissions('gateway').publish).not.toContain('$JS.API.STREAM.UPDATE.AUDIT');
    expect(busPermissions('gateway').publish).toContain('$JS.API.STREAM.CREATE.AUDIT');
  });

  it('gives each service its own inbox, which no other service may read', () => {
    const all = allBusPermissions();
    for (const service of SERVICE_NAMES) {
      const inbox = `${inboxPrefixOf(service)}.>`;
      for (const other of SERVICE_NAMES)
        expect([service, other, all[other].subscribe.includes(inbox)]).toEqual([service, other, other === service]);
    }
  });

  it('names subjects and streams under a stack prefix exactly, or under any one-token prefix', () => {
    expect(busPermissions('rag', { kind: 'prefix', prefix: 'stack1' }).publish).toEqual(
      expect.arrayContaining([
        'stack1.kb.ingest.v1',
        '$JS.API.STREAM.UPDATE.stack1_KB_INGEST',
        '$JS.API.CONSUMER.MSG.NEXT.stack1_KB_INGEST.>',
      ]),
    );
    expect(busPermissions('rag', { kind: 'any' }).publish).toEqual(
      expect.arrayContaining(['kb.ingest.v1', '*.kb.ingest.v1', '$JS.API.STREAM.UPDATE.*', '$JS.API.CONSUMER.MSG.NEXT.*.>']),
    );
  });
});
