import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  CONTRACTS,
  DomainError,
  ErrorEnvelopeSchema,
  EventContract,
  EventOf,
  EventSubject,
  HEADERS,
  JobGrantClaims,
  PayloadOf,
  TopicContract,
  TopicSubject,
  RemoteError,
  RequestContract,
  RequestOf,
  RequestSubject,
  ResponseOf,
  GRANT_BOUND_SERVICES,
  STREAMS,
  StreamName,
  Subject,
  jobSubject,
  contractVersion,
  inboxPrefixOf,
  prefixedStreamName,
  toErrorEnvelope,
} from '@weft/contracts';
import { currentContext, currentCorrelationId, reportError, runWithContext, sanitizeCorrelationId } from '@weft/logging';
import { BusMetrics, type ConsumerBacklog } from '@weft/metrics';
import { markActiveSpanError, SpanKind, withIncomingSpan, withOutgoingSpan } from '@weft/tracing';
import {
  AckPolicy,
  ConsumerMessages,
  DeliverPolicy,
  JSONCodec,
  JsMsg,
  Msg,
  MsgHdrs,
  NatsConnection,
  RequestStrategy,
  RetentionPolicy,
  StorageType,
  Subscription,
  connect,
  headers as natsHeaders,
  nanos,
  nkeyAuthenticator,
} from 'nats';
import { GrantRefusal, MESSAGING_OPTIONS, MessageContext, MessagingOptions } from './messaging.types';

type Reply<T> = { ok: true; data: T } | { ok: false; error: unknown };
type RequestHandler = (payload: unknown, ctx: MessageContext) => Promise<unknown>;
type EventHandler<E> = (payload: E, ctx: MessageContext & { deliveryCount: number }) => Promise<void>;
type WorkHandler<E> = (payload: E, ctx: MessageContext & { deliveryCount: number; working: () => void }) => Promise<void>;

/** How a pull worker takes jobs: never more at once than `concurrency`, redelivered after `ackWaitMs` without a sign of life. */
export interface WorkOptions {
  ackWaitMs: number;
  concurrency: number;
  maxDeliver: number;
}

interface WorkerRegistration {
  subject: EventSubject;
  durable: string;
  options: WorkOptions;
  handler: WorkHandler<unknown>;
  stopped: boolean;
}

interface Registration {
  subject: RequestSubject;
  handler: RequestHandler;
  subscriptions: Subscription[];
}

interface ConsumerRegistration {
  subject: EventSubject;
  durable: string;
  handler: EventHandler<unknown>;
  messages?: ConsumerMessages;
}

const codec = JSONCodec<unknown>();

/**
 * The typed NATS client every service uses. Request/reply with validation on both sides and one error
 * envelope; JetStream publishing and durable consumption for what must survive a crash. It connects in
 * the background and keeps retrying, so a service starts (and answers 503 on /ready) while NATS is down.
 */
@Injectable()
export class MessageBus implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageBus.name);
  private connection?: NatsConnection;
  private readonly registrations: Registration[] = [];
  private readonly consumers: ConsumerRegistration[] = [];
  private readonly workers: WorkerRegistration[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly ensuredStreams = new Set<StreamName>();
  private connecting?: Promise<void>;
  private closing = false;
  private disconnected = false;
  private handling = true;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: BusMetrics,
  ) {}

  /** Starts connecting; resolves once connected (it retries for ever until then or until shutdown). */
  start(): Promise<void> {
    this.connecting ??= this.connectWithRetry();
    return this.connecting;
  }

  isConnected(): boolean {
    return this.connection !== undefined && !this.connection.isClosed() && this.connection.info !== undefined && !this.disconnected;
  }

  /** The wire subject: the contract subject behind the optional prefix that isolates stacks sharing a NATS. */
  wireSubject(subject: string): string {
    return this.options.subjectPrefix ? `${this.options.subjectPrefix}.${subject}` : subject;
  }

  /** The wire stream name, with the same isolation. */
  wireStream(stream: StreamName): string {
    return prefixedStreamName(this.options.subjectPrefix, stream);
  }

  /**
   * How many messages wait (JetStream's `num_pending`: stored, not yet delivered) for each durable consumer
   * this instance takes from, for `weft_jetstream_backlog_messages`. A consumer not yet created, or not
   * readable within `timeoutMs`, is left out; so is everything while disconnected.
   */
  async consumerBacklogs(timeoutMs = 2000): Promise<ConsumerBacklog[]> {
    const nc = this.connection;
    if (!nc || !this.isConnected()) return [];
    const durables = new Map<string, { stream: string; consumer: string }>();
    for (const { subject, durable } of [...this.workers, ...this.consumers]) {
      const stream = this.wireStream((CONTRACTS[subject] as EventContract<unknown>).stream);
      durables.set(`${stream}/${durable}`, { consumer: durable, stream });
    }
    if (durables.size === 0) return [];
    const jsm = await nc.jetstreamManager({ timeout: timeoutMs });
    const read = await Promise.all(
      [...durables.values()].map(({ stream, consumer }) =>
        jsm.consumers.info(stream, consumer).then(
          (info) => ({ consumer, pending: info.num_pending, stream }),
          () => null,
        ),
      ),
    );
    return read.filter((b): b is ConsumerBacklog => b !== null);
  }

  /**
   * Sends a request to the service that owns the subject and validates its answer. A grant-bound service
   * (the node runner) sends the grant of the job it is working for (`opts.grant`, or the request
   * context's `jobGrant`); the request then goes out on the subject's job form, and the owner holds it
   * to the grant's workspace.
   */
  async request<S extends RequestSubject>(
    subject: S,
    payload: RequestOf<S>,
    opts: { timeoutMs?: number; grant?: string } = {},
  ): Promise<ResponseOf<S>> {
    const contract = CONTRACTS[subject] as RequestContract<RequestOf<S>, ResponseOf<S>>;
    this.checkAccess('send', subject, contract.callers);
    const grantBound = this.isGrantBound();
    const grant = opts.grant ?? currentContext()?.jobGrant;
    if (grantBound && !grant)
      throw new Error(`The ${this.options.service} service sends "${subject}" only with the grant of the job it works for`);
    const nc = this.requireConnection(subject);
    let msg: Msg;
    try {
      const headers = this.outboundHeaders(subject);
      if (grantBound && grant) headers.set(HEADERS.jobGrant, grant);
      const data = codec.encode(contract.request.parse(payload));
      msg = await withOutgoingSpan({ subject, operation: 'request', kind: SpanKind.CLIENT }, headers, () =>
        nc.request(this.wireSubject(grantBound ? jobSubject(subject) : subject), data, {
          timeout: opts.timeoutMs ?? this.options.requestTimeoutMs,
          headers,
        }),
      );
    } catch (error) {
      throw this.transportError(subject, error);
    }
    return this.decodeReply(subject, contract, msg);
  }

  /**
   * Asks every instance answering a broadcast subject and collects the valid answers until `timeoutMs`
   * passes or `enough` says the answers so far suffice. Instances that do not answer are simply absent.
   */
  async gather<S extends RequestSubject>(
    subject: S,
    payload: RequestOf<S>,
    opts: { timeoutMs: number; enough?: (answers: ResponseOf<S>[]) => boolean },
  ): Promise<ResponseOf<S>[]> {
    const contract = CONTRACTS[subject] as RequestContract<RequestOf<S>, ResponseOf<S>>;
    this.checkAccess('send', subject, contract.callers);
    if (this.isGrantBound()) throw new Error(`The ${this.options.service} service may not broadcast "${subject}"`);
    const nc = this.requireConnection(subject);
    const answers: ResponseOf<S>[] = [];
    try {
      const headers = this.outboundHeaders(subject);
      const data = codec.encode(contract.request.parse(payload));
      const replies = await withOutgoingSpan({ subject, operation: 'request', kind: SpanKind.CLIENT }, headers, () =>
        nc.requestMany(this.wireSubject(subject), data, { maxWait: opts.timeoutMs, strategy: RequestStrategy.Timer, headers }),
      );
      for await (const msg of replies) {
        try {
          answers.push(this.decodeReply(subject, contract, msg));
        } catch (error) {
          this.logger.warn(`Ignored an invalid answer on "${subject}": ${(error as Error).message}`);
        }
        if (opts.enough?.(answers)) break;
      }
    } catch (error) {
      // No responders at all is a normal outcome of a broadcast: nobody is up.
      if (!/503|no responders/i.test(String((error as { code?: string }).code ?? (error as Error).message)))
        throw this.transportError(subject, error);
    }
    return answers;
  }

  /** Registers the handler of a request subject; subscriptions open once connected. */
  handle<S extends RequestSubject>(subject: S, handler: (payload: RequestOf<S>, ctx: MessageContext) => Promise<ResponseOf<S>>): void {
    const owner = (CONTRACTS[subject] as RequestContract<unknown, unknown>).owner;
    this.checkAccess('answer', subject, owner === 'broadcast' ? [this.options.service] : [owner]);
    const registration: Registration = { subject, handler: handler as RequestHandler, subscriptions: [] };
    this.registrations.push(registration);
    if (this.connection) this.subscribe(this.connection, registration);
  }

  /** Subjects with their number of registered handlers, for the start-up ownership check. */
  handlerCounts(): Map<RequestSubject, number> {
    const counts = new Map<RequestSubject, number>();
    for (const r of this.registrations) counts.set(r.subject, (counts.get(r.subject) ?? 0) + 1);
    return counts;
  }

  /**
   * Publishes a durable event to its JetStream stream. `id` de-duplicates: the same id published twice
   * within the stream's window is stored once.
   */
  async publishEvent<S extends EventSubject>(subject: S, payload: EventOf<S>, id: string): Promise<void> {
    const contract = CONTRACTS[subject] as EventContract<EventOf<S>>;
    this.checkAccess('publish', subject, contract.publishers);
    const nc = this.requireConnection(subject);
    await this.ensureStream(nc, contract.stream);
    try {
      const headers = this.outboundHeaders(subject);
      const data = codec.encode(contract.payload.parse(payload));
      // The trace context travels in the stored message's headers: every delivery (a redelivery after a crash too) continues it.
      await withOutgoingSpan(
        { subject, operation: 'publish', kind: SpanKind.PRODUCER, attributes: { 'messaging.message.id': id } },
        headers,
        () => nc.jetstream().publish(this.wireSubject(subject), data, { msgID: id, headers }),
      );
    } catch (error) {
      throw this.transportError(subject, error);
    }
  }

  /**
   * Consumes a durable event subject with a named durable consumer shared by all replicas. The handler's
   * success acks; a failure is redelivered later. Invalid payloads are terminated (logged, never retried).
   */
  consume<S extends EventSubject>(subject: S, durable: string, handler: EventHandler<EventOf<S>>): void {
    this.checkAccess('consume', subject, (CONTRACTS[subject] as EventContract<unknown>).consumers);
    const registration: ConsumerRegistration = { subject, durable, handler: handler as EventHandler<unknown> };
    this.consumers.push(registration);
    if (this.connection) void this.runConsumer(this.connection, registration);
  }

  /** Publishes on a core NATS topic (live, not stored); `key` is required exactly when the topic is keyed. */
  publish<S extends TopicSubject>(subject: S, key: string | null, payload: PayloadOf<S>): void {
    this.checkAccess('publish', subject, (CONTRACTS[subject] as TopicContract<unknown>).publishers);
    const nc = this.connection;
    // Topics carry live signals whose truth is also in Postgres, so a publish while disconnected is dropped, not queued.
    if (!nc || nc.isClosed()) return;
    // No trace context and no span: a topic's listeners hand the payload to work already waiting in its own
    // context (a run's caller, a node awaiting its result, an abort), and the hot topics carry every node's
    // events and every streamed chunk, so writing and reading a traceparent on each would be paid for nothing.
    nc.publish(this.topicSubject(subject, key), codec.encode(payload), { headers: this.outboundHeaders(subject) });
  }

  /**
   * Subscribes to a topic (to one key of a keyed topic, or `*` for all keys); every payload is validated
   * before `handler` sees it. Returns the function that unsubscribes. Needs a connection: call after `start()`.
   */
  listen<S extends TopicSubject>(
    subject: S,
    key: string | null,
    handler: (payload: PayloadOf<S>, ctx: MessageContext) => void,
  ): () => void {
    const contract = CONTRACTS[subject] as TopicContract<PayloadOf<S>>;
    this.checkAccess('listen to', subject, contract.listeners);
    const nc = this.requireConnection(subject);
    const sub = nc.subscribe(this.topicSubject(subject, key), {
      callback: (err, msg) => {
        if (err) return;
        let payload: unknown;
        try {
          payload = codec.decode(msg.data);
        } catch {
          payload = undefined;
        }
        const parsed = contract.payload.safeParse(payload);
        if (!parsed.success) {
          this.logger.warn(`Dropped an invalid message on "${msg.subject}": ${parsed.error.message}`);
          return;
        }
        try {
          handler(parsed.data, this.inboundContext(subject, msg.headers));
        } catch (error) {
          this.logger.error({ err: error }, `Subscriber of "${subject}" failed`);
        }
      },
    });
    return () => sub.unsubscribe();
  }

  /**
   * Takes jobs from a work-queue stream with a pull consumer shared by every replica. A replica fetches
   * only as many jobs as it has free slots, so a busy one leaves work to the others; a job is acked when
   * its handler returns, and redelivered (up to `maxDeliver` times) when the handler throws or its
   * process dies. Long handlers call `working()` to extend the ack deadline.
   */
  work<S extends EventSubject>(subject: S, durable: string, options: WorkOptions, handler: WorkHandler<EventOf<S>>): void {
    this.checkAccess('consume', subject, (CONTRACTS[subject] as EventContract<unknown>).consumers);
    const registration: WorkerRegistration = { subject, durable, options, handler: handler as WorkHandler<unknown>, stopped: false };
    this.workers.push(registration);
    if (this.connection) void this.runWorker(this.connection, registration);
  }

  /** Stops taking new messages and waits for handlers in flight, up to `timeoutMs`; outgoing requests still work. */
  async stopHandling(timeoutMs: number): Promise<void> {
    this.handling = false;
    for (const c of this.consumers) c.messages?.stop();
    for (const w of this.workers) w.stopped = true;
    for (const r of this.registrations) r.subscriptions.forEach((sub) => sub.unsubscribe());
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  /** Closes the connection last, after the HTTP server and handlers have finished. */
  async onApplicationShutdown(): Promise<void> {
    if (this.handling) await this.stopHandling(5000);
    this.closing = true;
    const nc = this.connection;
    this.connection = undefined;
    if (nc && !nc.isClosed()) {
      await nc.flush().catch(() => undefined);
      await nc.close().catch(() => undefined);
    }
  }

  private async connectWithRetry(): Promise<void> {
    let delay = 250;
    while (!this.closing) {
      try {
        const { nkeySeed, tls } = this.options;
        const nc = await connect({
          servers: this.options.servers,
          name: `${this.options.service}:${this.options.instanceId}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 10_000,
          // nats.js otherwise captures a stack trace (an Error) for every request and every timeout timer, in case
          // it fails: a fifth of the gateway's time under load is garbage collection (docs/performance.md). The
          // bus names the subject in every error it raises instead.
          noAsyncTraces: true,
          // Replies come back under this service's own inbox prefix, which only its NATS user may read.
          inboxPrefix: inboxPrefixOf(this.options.operator ? 'operator' : this.options.service),
          ...(nkeySeed ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeySeed)) } : {}),
          ...(tls ? { tls } : {}),
        });
        if (!nkeySeed) this.logger.warn('Connecting to NATS without credentials (NATS_CREDENTIALS_DIR is not set)');
        if (this.closing) {
          // Shut down while connecting: nothing will close this connection later, and it would keep the process alive.
          await nc.close().catch(() => undefined);
          return;
        }
        this.connection = nc;
        this.disconnected = false;
        this.logger.log(`Connected to NATS at "${nc.getServer()}"`);
        void this.watchStatus(nc);
        if (this.handling) {
          for (const r of this.registrations) this.subscribe(nc, r);
          for (const c of this.consumers) void this.runConsumer(nc, c);
          for (const w of this.workers) void this.runWorker(nc, w);
        }
        return;
      } catch (error) {
        this.logger.warn(`Waiting for NATS at "${this.options.servers.join(',')}": ${(error as Error).message}; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.disconnected = true;
        this.logger.warn(`Lost the NATS connection to "${String(status.data)}"; reconnecting`);
      } else if (status.type === 'reconnect') {
        this.disconnected = false;
        this.logger.log(`Reconnected to NATS at "${String(status.data)}"`);
      }
    }
  }

  private subscribe(nc: NatsConnection, registration: Registration): void {
    const contract = CONTRACTS[registration.subject] as RequestContract<unknown, unknown>;
    // Owned subjects are load-balanced over the owner's replicas; broadcast subjects reach every instance.
    const queue = contract.owner === 'broadcast' ? undefined : contract.owner;
    const forms: { wire: string; grantBound: boolean }[] = [{ wire: this.wireSubject(registration.subject), grantBound: false }];
    // Grant-bound callers (the node runner) send on the job form; those requests are checked against their grant.
    if (contract.owner !== 'broadcast' && contract.callers.some((c) => GRANT_BOUND_SERVICES.includes(c)))
      forms.push({ wire: this.wireSubject(jobSubject(registration.subject)), grantBound: true });
    registration.subscriptions = forms.map(({ wire, grantBound }) =>
      nc.subscribe(wire, {
        queue,
        callback: (err, msg) => {
          if (err) {
            this.logger.error(`Subscription to "${wire}" failed: ${err.message}`);
            return;
          }
          this.track(this.dispatch(registration, contract, msg, grantBound));
        },
      }),
    );
  }

  private async dispatch(
    registration: Registration,
    contract: RequestContract<unknown, unknown>,
    msg: Msg,
    grantBound: boolean,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const ctx = this.inboundContext(registration.subject, msg.headers);
    if (grantBound) delete ctx.workspaceId;
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const span = { subject: registration.subject, operation: 'process', kind: SpanKind.SERVER } as const;
    await withIncomingSpan(span, msg.headers, () => this.answer(registration, contract, msg, grantBound, ctx, elapsed));
  }

  private answer(
    registration: Registration,
    contract: RequestContract<unknown, unknown>,
    msg: Msg,
    grantBound: boolean,
    ctx: MessageContext,
    elapsed: () => number,
  ): Promise<void> {
    return runWithContext({ correlationId: ctx.correlationId, workspaceId: ctx.workspaceId }, async () => {
      let payload: unknown;
      try {
        payload = codec.decode(msg.data);
      } catch {
        payload = undefined;
      }
      const parsed = contract.request.safeParse(payload);
      if (!parsed.success) {
        this.metrics.observe(registration.subject, 'invalid', elapsed());
        const message = `Invalid payload for "${registration.subject}": ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
        this.respond(msg, { ok: false, error: { code: 'invalid_param', message, correlationId: ctx.correlationId } });
        return;
      }
      if (grantBound) {
        const refusal = this.checkGrant(registration.subject, msg.headers?.get(HEADERS.jobGrant) || undefined, parsed.data, ctx);
        if (refusal) {
          this.metrics.observe(registration.subject, 'invalid', elapsed());
          this.respond(msg, { ok: false, error: { code: 'forbidden', message: refusal, correlationId: ctx.correlationId } });
          return;
        }
      }
      try {
        const result = await registration.handler(parsed.data, ctx);
        this.metrics.observe(registration.subject, 'ok', elapsed());
        this.logger.debug(`Handled "${registration.subject}" in ${(elapsed() * 1000).toFixed(1)} ms`);
        this.respond(msg, { ok: true, data: result });
      } catch (error) {
        this.metrics.observe(registration.subject, 'error', elapsed());
        markActiveSpanError(error);
        if (!(error instanceof DomainError)) {
          this.logger.error({ err: error }, `Handler of "${registration.subject}" failed`);
          reportError(error, ctx.correlationId);
        }
        this.respond(msg, { ok: false, error: toErrorEnvelope(error, ctx.correlationId) });
      }
    });
  }

  private respond(msg: Msg, reply: Reply<unknown>): void {
    if (!msg.reply) return;
    try {
      msg.respond(codec.encode(reply));
    } catch (error) {
      this.logger.warn(`Could not answer on "${msg.subject}": ${(error as Error).message}`);
    }
  }

  private async runConsumer(nc: NatsConnection, registration: ConsumerRegistration): Promise<void> {
    const contract = CONTRACTS[registration.subject] as EventContract<unknown>;
    let delay = 250;
    while (this.handling && !this.closing && this.connection === nc) {
      try {
        await this.ensureStream(nc, contract.stream);
        const stream = this.wireStream(contract.stream);
        const jsm = await nc.jetstreamManager();
        await jsm.consumers.add(stream, {
          durable_name: registration.durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: this.wireSubject(registration.subject),
          ack_wait: nanos(30_000),
          max_ack_pending: 1000,
        });
        const consumer = await nc.jetstream().consumers.get(stream, registration.durable);
        const messages = await consumer.consume({ max_messages: 200 });
        registration.messages = messages;
        delay = 250;
        for await (const m of messages) {
          this.track(this.handleEvent(registration, contract, m));
        }
      } catch (error) {
        if (this.closing || !this.handling) return;
        this.logger.warn(
          `Consumer "${registration.durable}" on "${registration.subject}" stopped: ${(error as Error).message}; restarting in ${delay} ms`,
        );
      }
      if (this.closing || !this.handling) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  private async runWorker(nc: NatsConnection, registration: WorkerRegistration): Promise<void> {
    const contract = CONTRACTS[registration.subject] as EventContract<unknown>;
    const { concurrency, ackWaitMs, maxDeliver } = registration.options;
    let active = 0;
    let freed: (() => void) | undefined;
    const slotFreed = () => new Promise<void>((resolve) => (freed = resolve));
    let delay = 250;
    while (!registration.stopped && this.handling && !this.closing && this.connection === nc) {
      try {
        await this.ensureStream(nc, contract.stream);
        const stream = this.wireStream(contract.stream);
        const jsm = await nc.jetstreamManager();
        await jsm.consumers.add(stream, {
          durable_name: registration.durable,
          ack_policy: AckPolicy.Explicit,
          filter_subject: this.wireSubject(registration.subject),
          ack_wait: nanos(ackWaitMs),
          max_deliver: maxDeliver,
        });
        const consumer = await nc.jetstream().consumers.get(stream, registration.durable);
        delay = 250;
        while (!registration.stopped && this.handling && !this.closing) {
          if (active >= concurrency) {
            await slotFreed();
            continue;
          }
          const batch = await consumer.fetch({ max_messages: concurrency - active, expires: 2000 });
          for await (const m of batch) {
            active++;
            const done = this.handleWork(registration, contract, m).finally(() => {
              active--;
              freed?.();
            });
            this.track(done);
          }
        }
        return;
      } catch (error) {
        if (this.closing || !this.handling || registration.stopped) return;
        this.logger.warn(
          `Worker "${registration.durable}" on "${registration.subject}" stopped: ${(error as Error).message}; restarting in ${delay} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  /** A work-queue job: handled with `working()` to extend its ack wait; a failure is redelivered after 1 s. */
  private handleWork(registration: WorkerRegistration, contract: EventContract<unknown>, m: JsMsg): Promise<void> {
    return this.handleDelivery(registration, contract, m, {
      noun: 'job',
      handle: (payload, ctx) => registration.handler(payload, { ...ctx, working: () => m.working() }),
      retryDelayMs: () => 1000,
    });
  }

  /** A durable event: a failure is redelivered after a backoff growing with its deliveries (1 s doubling to 30 s). */
  private handleEvent(registration: ConsumerRegistration, contract: EventContract<unknown>, m: JsMsg): Promise<void> {
    return this.handleDelivery(registration, contract, m, {
      noun: 'event',
      handle: (payload, ctx) => registration.handler(payload, ctx),
      retryDelayMs: () => Math.min(1000 * 2 ** Math.min(m.info.redeliveryCount, 5), 30_000),
    });
  }

  /**
   * One JetStream delivery, job or event: in its span and request context, parsed against the contract (an
   * invalid one is terminated, never redelivered), handled, then acked, or nak'ed for redelivery on failure.
   */
  private async handleDelivery(
    registration: { durable: string; subject: string },
    contract: EventContract<unknown>,
    m: JsMsg,
    how: {
      noun: 'job' | 'event';
      handle: (payload: unknown, ctx: MessageContext & { deliveryCount: number }) => Promise<void>;
      retryDelayMs: () => number;
    },
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const ctx = this.inboundContext(registration.subject, m.headers);
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const span = {
      subject: registration.subject,
      operation: 'process',
      kind: SpanKind.CONSUMER,
      attributes: this.deliveryAttributes(m, registration.durable),
    } as const;
    const what = how.noun === 'job' ? 'Job' : 'Event';
    await withIncomingSpan(span, m.headers, () =>
      runWithContext({ correlationId: ctx.correlationId, workspaceId: ctx.workspaceId }, async () => {
        let payload: unknown;
        try {
          payload = m.json();
        } catch {
          payload = undefined;
        }
        const parsed = contract.payload.safeParse(payload);
        if (!parsed.success) {
          this.metrics.observe(registration.subject, 'invalid', elapsed());
          this.logger.error(
            `Dropped an invalid ${how.noun} on "${registration.subject}" (stream sequence ${m.seq}): ${parsed.error.message}`,
          );
          m.term();
          return;
        }
        try {
          await how.handle(parsed.data, { ...ctx, deliveryCount: m.info.redeliveryCount });
          m.ack();
          this.metrics.observe(registration.subject, 'ok', elapsed());
        } catch (error) {
          this.metrics.observe(registration.subject, 'error', elapsed());
          markActiveSpanError(error);
          const delayMs = how.retryDelayMs();
          this.logger.warn(
            `${what} on "${registration.subject}" (stream sequence ${m.seq}) failed, redelivering${how.noun === 'job' ? '' : ` in ${delayMs} ms`}: ${(error as Error).message}`,
          );
          m.nak(delayMs);
        }
      }),
    );
  }

  /** The attributes of a JetStream delivery's span (built only when tracing is on). */
  private deliveryAttributes(m: JsMsg, durable: string): () => Record<string, string | number> {
    return () => ({
      'messaging.consumer.group.name': durable,
      'messaging.message.id': m.headers?.get('Nats-Msg-Id') || String(m.seq),
      'weft.bus.delivery_count': m.info.redeliveryCount,
    });
  }

  private async ensureStream(nc: NatsConnection, stream: StreamName): Promise<void> {
    if (this.ensuredStreams.has(stream)) return;
    const def = STREAMS[stream];
    const jsm = await nc.jetstreamManager();
    const config = {
      name: this.wireStream(stream),
      subjects: def.subjects.map((s) => this.wireSubject(s)),
      storage: StorageType.File,
      max_age: nanos(def.maxAgeSeconds * 1000),
      duplicate_window: nanos(def.duplicateWindowSeconds * 1000),
      retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
      num_replicas: this.options.streamReplicas ?? 1,
    };
    // Any publisher or consumer creates a missing stream; only its manager may change an existing one.
    const manages = this.options.operator || def.manager === this.options.service;
    try {
      await jsm.streams.info(config.name);
      if (manages) await jsm.streams.update(config.name, config);
    } catch (error) {
      if (!/not found/i.test((error as Error).message)) throw error;
      await jsm.streams.add(config);
    }
    this.ensuredStreams.add(stream);
  }

  private isGrantBound(): boolean {
    return !this.options.operator && GRANT_BOUND_SERVICES.includes(this.options.service);
  }

  /**
   * Checks the job grant of a request from a grant-bound service: present, signed with the platform's
   * key, not expired, and for the workspace the request names. Fills the context's workspace from the
   * grant; returns why it refuses otherwise (and reports the refusal for the audit trail).
   */
  private checkGrant(subject: RequestSubject, grant: string | undefined, payload: unknown, ctx: MessageContext): string | undefined {
    const named = (payload as { workspaceId?: unknown } | null)?.workspaceId;
    let claims: JobGrantClaims | undefined;
    let reason: string;
    try {
      if (!this.options.verifyGrant) throw new Error('this service cannot check job grants (no SECRET_KEY)');
      claims = this.options.verifyGrant(grant);
      if (named === undefined || named === claims.workspaceId) {
        ctx.workspaceId = claims.workspaceId;
        ctx.grant = claims;
        return undefined;
      }
      reason = 'workspace_mismatch';
    } catch (error) {
      reason = (error as { reason?: string }).reason ?? (error as Error).message;
    }
    this.logger.warn(`Refused "${subject}" from a grant-bound service: ${reason}`);
    this.onGrantRefused?.({
      grantWorkspaceId: claims?.workspaceId ?? null,
      reason,
      requestedWorkspaceId: typeof named === 'string' ? named : null,
      subject,
    });
    return `A node runner may only reach the workspace of the job it holds: the job grant was refused (${reason})`;
  }

  /** Called with each refused grant, so the refusal reaches the audit trail (the audit service registers itself). */
  onGrantRefused?: (refusal: GrantRefusal) => void;

  /** Refuses a use of a subject that the contract table does not grant this service (NATS would refuse it too). */
  private checkAccess(verb: string, subject: Subject, allowed: readonly string[]): void {
    if (this.options.operator || allowed.includes(this.options.service)) return;
    throw new Error(
      `The ${this.options.service} service may not ${verb} "${subject}": the contract table (libs/contracts/src/subjects.contract.ts) does not grant it`,
    );
  }

  private topicSubject(subject: TopicSubject, key: string | null): string {
    const contract = CONTRACTS[subject] as TopicContract<unknown>;
    if (contract.keyed !== (key !== null)) throw new Error(`Topic "${subject}" ${contract.keyed ? 'needs' : 'takes no'} key`);
    return this.wireSubject(key === null ? subject : `${subject}.${key}`);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private outboundHeaders(subject: RequestSubject | EventSubject | TopicSubject): MsgHdrs {
    const h = natsHeaders();
    const ctx = currentContext();
    h.set(HEADERS.correlationId, ctx?.correlationId ?? currentCorrelationId());
    if (ctx?.workspaceId) h.set(HEADERS.workspaceId, ctx.workspaceId);
    h.set(HEADERS.contractVersion, String(contractVersion(subject)));
    return h;
  }

  private inboundContext(subject: string, h: MsgHdrs | undefined): MessageContext {
    const correlationId = sanitizeCorrelationId(h?.get(HEADERS.correlationId)) ?? currentCorrelationId();
    const workspaceId = h?.get(HEADERS.workspaceId) || undefined;
    return { correlationId, workspaceId, subject };
  }

  private decodeReply<Req, Res>(subject: string, contract: RequestContract<Req, Res>, msg: Msg): Res {
    let reply: Reply<unknown>;
    try {
      reply = codec.decode(msg.data) as Reply<unknown>;
    } catch {
      throw new DomainError('internal_error', `Unreadable answer on "${subject}"`);
    }
    if (reply && reply.ok === true) {
      const parsed = contract.response.safeParse(reply.data);
      if (parsed.success) return parsed.data;
      throw new DomainError('internal_error', `Invalid answer on "${subject}": ${parsed.error.message}`);
    }
    const envelope = ErrorEnvelopeSchema.safeParse(reply?.error);
    if (envelope.success) throw new RemoteError(envelope.data, subject);
    throw new DomainError('internal_error', `Unreadable error answer on "${subject}"`);
  }

  private requireConnection(subject: string): NatsConnection {
    if (!this.connection || this.connection.isClosed()) {
      throw new DomainError('unavailable', `The message bus is not connected; cannot send "${subject}"`);
    }
    return this.connection;
  }

  private transportError(subject: string, error: unknown): DomainError {
    const text = `${String((error as { code?: string }).code ?? '')} ${(error as Error).message}`;
    if (/TIMEOUT|timeout/.test(text)) return new DomainError('timeout', `No answer on "${subject}" in time`);
    if (/503|no responders/i.test(text)) return new DomainError('unavailable', `No service is handling "${subject}"`);
    return new DomainError('unavailable', `Message bus error on "${subject}": ${(error as Error).message}`);
  }
}
