import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NodeJob, ServiceName } from '@weft/contracts';
import { METRIC, MetricsModule, renderMetrics } from '@weft/metrics';
import { expectEventually, infraUrls, operatorBusOptions, pollUntil, testAuditEvent, uniqueSuffix } from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageBus } from './message-bus.service';
import { MessagingModule } from './messaging.module';

@Controller()
class NoRoutes {}

/** A bus connected as `service`'s own NATS user (its real permissions), or as the operator who may do anything. */
async function startBus(prefix: string, as: ServiceName | 'operator'): Promise<{ app: INestApplication; bus: MessageBus }> {
  const dir = infraUrls().natsCredentialsDir;
  const credentials =
    as === 'operator' ? operatorBusOptions() : dir ? { nkeySeed: readFileSync(join(dir, `${as}.nk`), 'utf8').trim() } : {};
  @Module({
    controllers: [NoRoutes],
    imports: [
      MetricsModule,
      MessagingModule.forRoot({
        ...credentials,
        handles: [],
        instanceId: uniqueSuffix(),
        requestTimeoutMs: 2000,
        servers: [infraUrls().natsUrl],
        service: as === 'operator' ? 'compliance' : as,
        subjectPrefix: prefix,
      }),
    ],
  })
  class Root {}
  const moduleRef = await Test.createTestingModule({ imports: [Root] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const bus = app.get(MessageBus);
  void bus.start();
  await pollUntil(() => bus.isConnected(), { what: `the ${as} bus to connect` });
  return { app, bus };
}

function nodeJob(i: number): NodeJob {
  return {
    appId: randomUUID(),
    attempt: 0,
    data: { i },
    grant: 'g1.test.grant',
    history: [],
    jobId: randomUUID(),
    nodeId: `n${i}`,
    nodeType: 'code',
    replyTo: 'nobody',
    runId: randomUUID(),
    timeoutMs: 1000,
    variables: {},
    workspaceId: randomUUID(),
  } as NodeJob;
}

/** The gauge's series as Prometheus scrapes them (the Prometheus text of /metrics): `stream/consumer` -> value. */
async function scrapeBacklog(): Promise<Map<string, number>> {
  const { text } = await renderMetrics(false);
  const series = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${METRIC.jetStreamBacklog}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    series.set(`${labels['stream']}/${labels['consumer']}`, Number(m[2]));
  }
  return series;
}

describe('weft_jetstream_backlog_messages against a real NATS', () => {
  const prefix = `t${uniqueSuffix()}`;
  const apps: INestApplication[] = [];
  let publisher: MessageBus;
  let runner: MessageBus;
  let compliance: MessageBus;

  beforeAll(async () => {
    const started = await Promise.all([startBus(prefix, 'operator'), startBus(prefix, 'node-runner'), startBus(prefix, 'compliance')]);
    apps.push(...started.map((s) => s.app));
    [publisher, runner, compliance] = started.map((s) => s.bus) as [MessageBus, MessageBus, MessageBus];
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('reports the jobs waiting in a work queue that no worker pulls, with the service’s own NATS permissions, and sees them drain', async () => {
    const durable = `runners-${uniqueSuffix()}`;
    const stream = runner.wireStream('WF_NODES');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const taken: string[] = [];
    // One slot, held by the first job: the worker pulls nothing more until it is released.
    runner.work('wf.node.execute.v1', durable, { ackWaitMs: 30_000, concurrency: 1, maxDeliver: 3 }, async (job) => {
      taken.push(job.nodeId);
      if (taken.length === 1) await held;
    });
    const first = nodeJob(0);
    await publisher.publishEvent('wf.node.execute.v1', first, first.jobId);
    await pollUntil(() => taken.length === 1, { what: 'the worker to take the first job' });
    expect((await scrapeBacklog()).get(`${stream}/${durable}`)).toBe(0);

    for (let i = 1; i <= 5; i++) {
      const job = nodeJob(i);
      await publisher.publishEvent('wf.node.execute.v1', job, job.jobId);
    }
    await expectEventually(async () => expect((await scrapeBacklog()).get(`${stream}/${durable}`)).toBe(5));
    expect(taken).toEqual(['n0']);

    release();
    await expectEventually(() => expect(taken).toHaveLength(6), { timeoutMs: 20_000 });
    await expectEventually(async () => expect((await scrapeBacklog()).get(`${stream}/${durable}`)).toBe(0));
  });

  it('reports a durable event consumer too (the audit trail), and only the consumers this process takes from', async () => {
    const durable = `trail-${uniqueSuffix()}`;
    const stream = compliance.wireStream('AUDIT');
    const stored: string[] = [];
    compliance.consume('audit.event.v1', durable, async (event) => {
      stored.push(event.id);
    });
    const event = testAuditEvent();
    await publisher.publishEvent('audit.event.v1', event, event.id);
    await expectEventually(() => expect(stored).toEqual([event.id]), { timeoutMs: 20_000 });
    await expectEventually(async () => expect((await scrapeBacklog()).get(`${stream}/${durable}`)).toBe(0));
    expect((await compliance.consumerBacklogs()).map((b) => `${b.stream}/${b.consumer}`)).toEqual([`${stream}/${durable}`]);
    expect(await publisher.consumerBacklogs()).toEqual([]);
  });

  it('reports nothing for a bus that is not connected, rather than a stale number', async () => {
    const { app, bus } = await startBus(prefix, 'rag');
    bus.work('kb.ingest.v1', `ingest-${uniqueSuffix()}`, { ackWaitMs: 30_000, concurrency: 1, maxDeliver: 3 }, async () => undefined);
    await expectEventually(async () => expect(await bus.consumerBacklogs()).toHaveLength(1));
    await app.close();
    expect(await bus.consumerBacklogs()).toEqual([]);
  });
});
