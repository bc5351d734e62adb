import { Controller, DynamicModule, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RemoteError, RequestSubject, ServiceStatus } from '@weft/contracts';
import { currentContext, runWithContext } from '@weft/logging';
import { MessageBus } from './message-bus.service';
import { MessagingModule } from './messaging.module';
import type { MessagingOptions } from './messaging.types';
import { OnRequest } from './on-request.decorator';
import { MetricsModule } from '@weft/metrics';
import {
  connectAsOperator,
  expectEventually,
  freePort,
  infraUrls,
  operatorBusOptions,
  pollUntil,
  testAuditEvent,
  uniqueSuffix,
} from '@weft/testing';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, JSONCodec } from 'nats';

const status = (service: ServiceStatus['service'], extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  service,
  instanceId: `${service}-1`,
  version: '0.1.0',
  startedAt: new Date().toISOString(),
  uptimeSeconds: 1,
  ready: true,
  dependencies: {},
  ...extra,
});

@Injectable()
class StatusHandler {
  seenCorrelationIds: string[] = [];
  fail = false;
  release?: Promise<void>;

  @OnRequest('system.status.v1')
  async status(): Promise<ServiceStatus> {
    this.seenCorrelationIds.push(currentContext()?.correlationId ?? 'none');
    if (this.release) await this.release;
    if (this.fail) throw new Error('database exploded with password=hunter2');
    return status('compliance');
  }
}

@Controller()
class NoRoutes {}

function busModule(servers: string[], prefix: string, withHandler: boolean, extra: Partial<MessagingOptions> = {}): DynamicModule {
  @Module({ providers: withHandler ? [StatusHandler] : [], controllers: [NoRoutes] })
  class Root {}
  return {
    module: Root,
    // The bus starts as the compliance service without any of the subjects it owns (this test answers only system.status.v1).
    imports: [
      MetricsModule,
      MessagingModule.forRoot({
        ...operatorBusOptions(),
        handles: [],
        service: 'compliance',
        instanceId: uniqueSuffix(),
        servers,
        subjectPrefix: prefix,
        requestTimeoutMs: 2000,
        ...extra,
      }),
    ],
  };
}

async function startBus(servers: string[], prefix: string, withHandler = true, extra: Partial<MessagingOptions> = {}) {
  const moduleRef = await Test.createTestingModule({ imports: [busModule(servers, prefix, withHandler, extra)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, bus: app.get(MessageBus), handler: withHandler ? app.get(StatusHandler) : undefined };
}

describe('MessageBus against a real NATS', () => {
  const natsUrl = infraUrls().natsUrl;
  const prefix = `t${uniqueSuffix()}`;
  let server: Awaited<ReturnType<typeof startBus>>;
  let client: Awaited<ReturnType<typeof startBus>>;

  beforeAll(async () => {
    server = await startBus([natsUrl], prefix);
    client = await startBus([natsUrl], prefix, false);
    await pollUntil(() => server.bus.isConnected() && client.bus.isConnected(), { what: 'both buses to connect' });
  });

  afterAll(async () => {
    await client.app.close();
    await server.app.close();
  });

  it('answers a broadcast and carries the correlation id across the hop', async () => {
    const answers = await runWithContext({ correlationId: 'corr-e2e-1' }, () =>
      client.bus.gather('system.status.v1', {}, { timeoutMs: 1000, enough: (a) => a.length >= 1 }),
    );
    expect(answers).toEqual([expect.objectContaining({ service: 'compliance', version: '0.1.0' })]);
    expect(server.handler?.seenCorrelationIds).toContain('corr-e2e-1');
  });

  it('answers invalid payloads with an invalid_param envelope before any handler runs', async () => {
    const nc = await connectAsOperator(natsUrl);
    try {
      const calls = server.handler!.seenCorrelationIds.length;
      const codec = JSONCodec<{ ok: boolean; error: { code: string; message: string } }>();
      const reply = codec.decode(
        (await nc.request(`${prefix}.system.status.v1`, JSONCodec().encode({ unexpected: true }), { timeout: 2000 })).data,
      );
      expect(reply.ok).toBe(false);
      expect(reply.error.code).toBe('invalid_param');
      expect(reply.error.message).toContain('system.status.v1');
      const garbage = codec.decode(
        (await nc.request(`${prefix}.system.status.v1`, new TextEncoder().encode('{not json'), { timeout: 2000 })).data,
      );
      expect(garbage.error.code).toBe('invalid_param');
      expect(server.handler!.seenCorrelationIds.length).toBe(calls);
    } finally {
      await nc.close();
    }
  });

  it('turns a handler crash into an internal_error envelope without its text', async () => {
    server.handler!.fail = true;
    try {
      const nc = await connectAsOperator(natsUrl);
      const reply = JSONCodec<{ ok: boolean; error: { code: string; message: string; correlationId: string } }>().decode(
        (await nc.request(`${prefix}.system.status.v1`, JSONCodec().encode({}), { timeout: 2000 })).data,
      );
      await nc.close();
      expect(reply.ok).toBe(false);
      expect(reply.error.code).toBe('internal_error');
      expect(reply.error.message).not.toContain('hunter2');
      expect(reply.error.correlationId).toBeTruthy();
    } finally {
      server.handler!.fail = false;
    }
  });

  it('rejects with unavailable when nobody handles a subject', async () => {
    const lonely = await startBus([natsUrl], `t${uniqueSuffix()}`, false);
    try {
      await pollUntil(() => lonely.bus.isConnected());
      await expect(lonely.bus.request('system.status.v1', {})).rejects.toMatchObject({ code: 'unavailable' });
      await expect(lonely.bus.gather('system.status.v1', {}, { timeoutMs: 300 })).resolves.toEqual([]);
    } finally {
      await lonely.app.close();
    }
  });

  it('maps a remote error envelope to a RemoteError with the same code', async () => {
    server.handler!.fail = true;
    try {
      const error = await client.bus.request('system.status.v1', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect((error as RemoteError).code).toBe('internal_error');
    } finally {
      server.handler!.fail = false;
    }
  });

  it('stores a JetStream event once per id and redelivers it until the consumer succeeds', async () => {
    const event = testAuditEvent();
    await client.bus.publishEvent('audit.event.v1', event, event.id);
    await client.bus.publishEvent('audit.event.v1', event, event.id);
    const nc = await connectAsOperator(natsUrl);
    const info = await (await nc.jetstreamManager()).streams.info(client.bus.wireStream('AUDIT'));
    await nc.close();
    expect(info.state.messages).toBe(1);
    // NATS_STREAM_REPLICAS unset: one copy, all a single server can keep.
    expect(info.config.num_replicas).toBe(1);
    const deliveries: number[] = [];
    const handled: string[] = [];
    server.bus.consume('audit.event.v1', `test-${uniqueSuffix()}`, async (e, ctx) => {
      deliveries.push(ctx.deliveryCount);
      if (deliveries.length === 1) throw new Error('transient failure');
      handled.push(e.id);
    });
    await expectEventually(() => expect(handled).toEqual([event.id]), { timeoutMs: 20_000 });
    expect(deliveries).toEqual([1, 2]);
  });

  it('shares work-queue jobs between workers, none taking more at once than its concurrency, and redelivers a failed one', async () => {
    const job = (i: number) => ({
      appId: randomUUID(),
      attempt: 0,
      history: [],
      data: { i },
      grant: 'g1.test.grant',
      jobId: randomUUID(),
      nodeId: `n${i}`,
      nodeType: 'code',
      replyTo: 'nobody',
      runId: randomUUID(),
      timeoutMs: 1000,
      variables: {},
      workspaceId: randomUUID(),
    });
    const running = { client: 0, server: 0 };
    const peak = { client: 0, server: 0 };
    const done: Record<'client' | 'server', string[]> = { client: [], server: [] };
    const flaky: number[] = [];
    const worker = (name: 'client' | 'server') => async (payload: { nodeId: string }, ctx: { deliveryCount: number }) => {
      if (payload.nodeId === 'n7') {
        flaky.push(ctx.deliveryCount);
        if (flaky.length === 1) throw new Error('runner lost its connection');
      }
      running[name]++;
      peak[name] = Math.max(peak[name], running[name]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running[name]--;
      done[name].push(payload.nodeId);
    };
    const durable = `workers-${uniqueSuffix()}`;
    server.bus.work('wf.node.execute.v1', durable, { ackWaitMs: 5000, concurrency: 2, maxDeliver: 3 }, worker('server'));
    client.bus.work('wf.node.execute.v1', durable, { ackWaitMs: 5000, concurrency: 3, maxDeliver: 3 }, worker('client'));
    const jobs = Array.from({ length: 20 }, (_, i) => job(i));
    for (const j of jobs) await client.bus.publishEvent('wf.node.execute.v1', j, j.jobId);
    await expectEventually(() => expect(done.client.length + done.server.length).toBe(20), { timeoutMs: 20_000 });
    expect(new Set([...done.client, ...done.server]).size).toBe(20);
    expect(peak.server).toBeLessThanOrEqual(2);
    expect(peak.client).toBeLessThanOrEqual(3);
    expect(done.server.length).toBeGreaterThan(0);
    expect(done.client.length).toBeGreaterThan(0);
    expect(flaky).toEqual([1, 2]);
  });
});

describe('stream replicas (NATS_STREAM_REPLICAS)', () => {
  it('asks JetStream for the configured number of copies: a single server refuses three, so a misconfiguration cannot pass unseen', async () => {
    const natsUrl = infraUrls().natsUrl;
    const replicated = await startBus([natsUrl], `t${uniqueSuffix()}`, false, { streamReplicas: 3 });
    try {
      await pollUntil(() => replicated.bus.isConnected(), { what: 'the bus to connect' });
      const event = testAuditEvent();
      await expect(replicated.bus.publishEvent('audit.event.v1', event, event.id)).rejects.toThrow(/replica|resources/i);
      const nc = await connectAsOperator(natsUrl);
      try {
        await expect((await nc.jetstreamManager()).streams.info(replicated.bus.wireStream('AUDIT'))).rejects.toThrow(/not found/i);
      } finally {
        await nc.close();
      }
    } finally {
      await replicated.app.close();
    }
  });
});

describe('MessageBus shutdown', () => {
  it('stops taking messages but lets a handler in flight finish and answer', async () => {
    const natsUrl = infraUrls().natsUrl;
    const prefix = `t${uniqueSuffix()}`;
    const server = await startBus([natsUrl], prefix);
    const client = await startBus([natsUrl], prefix, false);
    try {
      await pollUntil(() => server.bus.isConnected() && client.bus.isConnected());
      let open!: () => void;
      server.handler!.release = new Promise<void>((resolve) => (open = resolve));
      const inFlight = client.bus.request('system.status.v1', {}, { timeoutMs: 5000 });
      await pollUntil(() => server.handler!.seenCorrelationIds.length === 1, { what: 'the handler to start' });
      let stopped = false;
      const stopping = server.bus.stopHandling(5000).then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      open();
      await expect(inFlight).resolves.toMatchObject({ service: 'compliance' });
      await stopping;
      // Unsubscribed: a new request finds nobody.
      await expect(client.bus.request('system.status.v1', {}, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await client.app.close();
      await server.app.close();
    }
  });
});

describe('MessageBus when NATS is down at start', () => {
  let nats: ChildProcess | undefined;

  afterEach(() => {
    nats?.kill('SIGKILL');
  });

  it('keeps retrying and connects, with its handlers, once NATS comes up', async () => {
    const port = await freePort();
    const prefix = `t${uniqueSuffix()}`;
    const late = await startBus([`nats://127.0.0.1:${port}`], prefix);
    try {
      expect(late.bus.isConnected()).toBe(false);
      await expect(late.bus.request('system.status.v1', {})).rejects.toMatchObject({ code: 'unavailable' });
      nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', mkdtempSync(join(tmpdir(), 'weft-nats-'))], {
        stdio: 'ignore',
      });
      await pollUntil(() => late.bus.isConnected(), { timeoutMs: 20_000, what: 'the bus to connect to the late NATS' });
      const answers = await late.bus.gather('system.status.v1', {}, { timeoutMs: 1000, enough: (a) => a.length > 0 });
      expect(answers).toHaveLength(1);
    } finally {
      await late.app.close();
    }
  });
});

describe('starting and stopping a bus', () => {
  /** A bus as the compliance service, with no handlers at all. */
  async function busApp(handles?: RequestSubject[]) {
    const options = {
      handles,
      instanceId: uniqueSuffix(),
      requestTimeoutMs: 2000,
      servers: [infraUrls().natsUrl],
      service: 'compliance' as const,
      subjectPrefix: `t${uniqueSuffix()}`,
    };
    const moduleRef = await Test.createTestingModule({
      imports: [MetricsModule, MessagingModule.forRoot({ ...options, ...operatorBusOptions() })],
    }).compile();
    return moduleRef.createNestApplication({ logger: false });
  }

  /** Starts and stops such a bus: null, or why it refused to start. */
  async function start(handles?: RequestSubject[]): Promise<string | null> {
    const app = await busApp(handles);
    try {
      await app.init();
      return null;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await app.close().catch(() => undefined);
    }
  }

  it('refuses to start without a handler for each subject the service owns, or for each it says this process handles', async () => {
    const all = await start();
    expect(all).toMatch(/^Refusing to start: .*subject "audit\.verify\.v1" is owned by this service but has no handler/);
    expect(all).toContain('"privacy.erasure.start.v1"');
    const part = await start(['audit.logs.v1']);
    expect(part).toBe('Refusing to start: subject "audit.logs.v1" is owned by this service but has no handler');
    expect(await start([])).toBeNull();
  });

  it('closes a connection that completes after shut-down began, so nothing keeps the process alive', async () => {
    const app = await busApp([]);
    await app.init();
    const bus = app.get(MessageBus);
    // Closed at once: the bus is most likely still connecting.
    await app.close();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(bus.isConnected()).toBe(false);
  });
});

describe('a bus over TLS (NATS_TLS_CA_FILE and a tls:// URL)', () => {
  let nats: ChildProcess | undefined;
  let url: string;
  let caFile: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-nats-tls-'));
    caFile = join(dir, 'cert.pem');
    // A self-signed certificate for 127.0.0.1: trusted only by a client given it as its CA.
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ].concat(['-keyout', join(dir, 'key.pem'), '-out', caFile]),
      { encoding: 'utf8' },
    );
    expect(made.status).toBe(0);
    const port = await freePort();
    nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '--tls', '--tlscert', caFile, '--tlskey', join(dir, 'key.pem')], {
      stdio: 'ignore',
    });
    url = `tls://127.0.0.1:${port}`;
    await pollUntil(
      async () => {
        try {
          await (await connect({ servers: url, tls: { caFile } })).close();
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 20_000, what: 'the TLS NATS to listen' },
    );
  });

  afterAll(() => {
    nats?.kill('SIGTERM');
  });

  it('answers requests over the encrypted connection when the CA is configured', async () => {
    const server = await startBus([url], 'tls', true, { tls: { caFile } });
    const client = await startBus([url], 'tls', false, { tls: { caFile } });
    try {
      await pollUntil(() => server.bus.isConnected() && client.bus.isConnected(), { what: 'both buses to connect over TLS' });
      const answers = await client.bus.gather('system.status.v1', {}, { timeoutMs: 1000, enough: (a) => a.length > 0 });
      expect(answers).toEqual([expect.objectContaining({ service: 'compliance' })]);
    } finally {
      await client.app.close();
      await server.app.close();
    }
  });

  it('refuses a server certificate it was not told to trust', async () => {
    await expect(connect({ servers: url, tls: {}, maxReconnectAttempts: 0, reconnect: false })).rejects.toThrow(/certificate/i);
  });
});
