import { Controller, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { MetricsModule } from '@weft/metrics';
import { connectAsOperator, infraUrls, operatorBusOptions, pollUntil, testAuditEvent, uniqueSuffix } from '@weft/testing';
import { shutdownTracing, startTracing } from '@weft/tracing';
import type { Msg, NatsConnection } from 'nats';
import { MessageBus } from './message-bus.service';
import { MessagingModule } from './messaging.module';

@Controller()
class NoRoutes {}

/** What goes over the wire with tracing on: stored events and jobs carry the trace; live topics do not. */
describe('MessageBus trace headers on the wire (tracing on)', () => {
  const prefix = `t${uniqueSuffix()}`;
  let bus: MessageBus;
  let close: () => Promise<void>;
  let raw: NatsConnection;

  beforeAll(async () => {
    startTracing('test', { env: {}, exporter: new InMemorySpanExporter(), log: () => undefined });
    @Module({
      controllers: [NoRoutes],
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          ...operatorBusOptions(),
          handles: [],
          instanceId: uniqueSuffix(),
          servers: [infraUrls().natsUrl],
          requestTimeoutMs: 2000,
          service: 'compliance',
          subjectPrefix: prefix,
        }),
      ],
    })
    class Root {}
    const app = (await Test.createTestingModule({ imports: [Root] }).compile()).createNestApplication({ logger: false });
    await app.init();
    bus = app.get(MessageBus);
    close = () => app.close();
    raw = await connectAsOperator();
    await pollUntil(() => bus.isConnected(), { what: 'the bus to connect' });
  });

  afterAll(async () => {
    await raw.close();
    await close();
    await shutdownTracing();
  });

  /** The next message on a wire subject, sent by `send` inside a sampled span; with that span's trace id. */
  async function received(wireSubject: string, send: () => Promise<void> | void): Promise<{ msg: Msg; traceId: string }> {
    const sub = raw.subscribe(wireSubject, { max: 1 });
    await raw.flush();
    const traceId = await trace.getTracer('test').startActiveSpan('caller', async (span) => {
      await send();
      span.end();
      return span.spanContext().traceId;
    });
    for await (const msg of sub) return { msg, traceId };
    throw new Error(`nothing arrived on ${wireSubject}`);
  }

  it('a run event on its live topic goes without traceparent; a stored event carries the sender span', async () => {
    const topic = await received(`${prefix}.wf.run.event.v1.run-1`, () =>
      bus.publish('wf.run.event.v1', 'run-1', { data: {}, event: 'ping', task_id: 't', workflow_run_id: 'run-1' }),
    );
    expect(topic.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(topic.msg.headers?.get('traceparent') ?? '').toBe('');
    // The bus's own headers still go.
    expect(topic.msg.headers?.get('weft-correlation-id')).toBeTruthy();

    const event = testAuditEvent();
    const stored = await received(`${prefix}.audit.event.v1`, () => bus.publishEvent('audit.event.v1', event, event.id));
    expect(stored.msg.headers?.get('traceparent')).toMatch(new RegExp(`^00-${stored.traceId}-[0-9a-f]{16}-01$`));
  });
});
