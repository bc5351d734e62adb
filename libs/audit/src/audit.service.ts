import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AUDIT_ACTOR_TYPES, AuditEvent, ServiceName } from '@weft/contracts';
import { currentContext } from '@weft/logging';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import { AUDIT_OUTBOX_BATCH, AuditOutbox } from './audit-outbox.repository';

export interface AuditInput {
  action: string;
  actor: { type: (typeof AUDIT_ACTOR_TYPES)[number]; id: string | null };
  resource: { type: string; id: string | null };
  workspaceId?: string | null;
  outcome?: 'success' | 'failure';
  ip?: string | null;
  userAgent?: string | null;
  /** The request's correlation id; by default the one of the current request context. */
  correlationId?: string | null;
  details?: Record<string, unknown>;
}

export const AUDIT_SERVICE_NAME = Symbol('AUDIT_SERVICE_NAME');

const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|credential|authorization|cookie/i;

/** Runs of characters an address can be part of; matching them never backtracks, so scrubbing is linear. */
const TOKEN = /[^\s<>()[\]{}",;:=&?/\\|]+/g;
/**
 * Every address an account can have: what registration and invitations accept (zod's `email()`: letters,
 * digits and `_ ' + - .` before the @, a dotted domain after), plus `%`, in any letter case.
 */
const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
/** Quotes and a sentence's full stop around an address in free text are not part of it. */
const EDGES = /^(['.]*)(.*?)(['.]*)$/s;
/** Longest address there is (RFC 5321 path limit); longer runs are not checked, which keeps the check cheap. */
const MAX_EMAIL = 254;

function scrubEmails(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(TOKEN, (token) => {
    if (token.length > MAX_EMAIL + 8 || !token.includes('@')) return token;
    const [, before, core, after] = EDGES.exec(token)!;
    return EMAIL.test(core!) ? `${before}[email]${after}` : token;
  });
}

/**
 * Drops values under secret-looking keys, at any depth, so audit details never carry secrets; email
 * addresses in values become `[email]`, so the hash-chained trail (which erasure cannot rewrite) never
 * holds one. Callers name people by id, never by name or address.
 */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (typeof value === 'string') return scrubEmails(value);
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : scrubSecrets(v, depth + 1)]),
    );
  }
  return value;
}

/** How often a service looks for events another process of it left in the outbox (it died while NATS was down). */
export const AUDIT_OUTBOX_SWEEP_MS = 60_000;

/**
 * Records audit events. Each event gets its id here and is published to the AUDIT JetStream stream with
 * that id, so a retry never stores it twice. When NATS cannot take an event, the events waiting go to the
 * service's Postgres outbox (AuditOutbox) and are relayed from there, oldest first, once NATS answers again;
 * while the outbox holds events, new ones join them there, so the trail keeps the order they were recorded
 * in. A process that dies while NATS is down therefore loses nothing; another process of the service (or
 * the restarted one) relays what it left. Events wait in memory alone only while Postgres is down too. The
 * node runner, which has no database, records no audit events: a job's refused request is recorded by the
 * service that refused it (`onGrantRefused`), and a run's `run.started` travels with the run (RunStartAudits).
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly pending: AuditEvent[] = [];
  private readonly outbox?: AuditOutbox;
  /** Set while the outbox may hold events: new events then go there too, behind them. */
  private outboxInUse = false;
  private flushing?: Promise<void>;
  private sweep?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly bus: MessageBus,
    @Inject(AUDIT_SERVICE_NAME) private readonly service: ServiceName,
    @Optional() private readonly db?: DatabaseService,
  ) {
    if (db) this.outbox = new AuditOutbox(db);
    // A node runner asking outside the workspace of its job is a security event: it goes to the trail.
    bus.onGrantRefused = (refusal) =>
      this.record({
        action: 'bus.job_grant.refused',
        actor: { id: null, type: 'system' },
        details: { reason: refusal.reason, requestedWorkspaceId: refusal.requestedWorkspaceId, subject: refusal.subject },
        outcome: 'failure',
        resource: { id: refusal.subject, type: 'bus_subject' },
        workspaceId: refusal.requestedWorkspaceId ?? refusal.grantWorkspaceId,
      });
  }

  onApplicationBootstrap(): void {
    if (!this.db) return;
    // Events an earlier process left behind are relayed once the database is there, then looked for now and then.
    const look = () => void this.lookForLeftovers();
    this.sweep = setInterval(look, AUDIT_OUTBOX_SWEEP_MS).unref();
    this.db.whenReady().then(look, () => undefined);
  }

  /** Queues an event for the audit trail and returns its id. */
  record(input: AuditInput): string {
    return this.recordPrepared(this.prepare(input));
  }

  /**
   * Builds the event `record` would queue (its id included) without queuing it: for an event another service
   * stores and sends on (a run's `run.started`, kept with the run row by the orchestrator).
   */
  prepare(input: AuditInput): AuditEvent {
    const ctx = currentContext();
    return {
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      service: this.service,
      action: input.action,
      actor: input.actor,
      resource: input.resource,
      workspaceId: input.workspaceId ?? ctx?.workspaceId ?? null,
      outcome: input.outcome ?? 'success',
      // Clamped to what the event contract accepts: a long User-Agent must not make the event unsendable.
      ip: input.ip?.slice(0, 100) ?? null,
      userAgent: input.userAgent?.slice(0, 1000) ?? null,
      correlationId: input.correlationId ?? ctx?.correlationId ?? null,
      details: scrubSecrets(input.details ?? {}) as Record<string, unknown>,
    };
  }

  /** Queues an event built by `prepare` (here or in another service); a second copy of an id is stored once. */
  recordPrepared(event: AuditEvent): string {
    this.pending.push(event);
    this.kick();
    return event.id;
  }

  /**
   * Sends an event to the trail now, outside the queue, and resolves once JetStream has it; throws when NATS
   * does not take it (the caller keeps the event durably and tries again: see the orchestrator's RunStartAudits).
   */
  async sendNow(event: AuditEvent): Promise<void> {
    await this.bus.publishEvent('audit.event.v1', event, event.id);
  }

  /** Resolves when everything recorded so far has been accepted by JetStream (or, NATS being down, stored in the outbox). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await Promise.race([this.drain(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    this.stopped = true;
    // What NATS did not take in time waits in the outbox for the next process of this service.
    if (this.pending.length > 0 && (await this.spill())) return;
    if (this.pending.length > 0) this.logger.error(`${this.pending.length} audit event(s) could not be sent before shutdown`);
  }

  private kick(): void {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
    });
  }

  private async lookForLeftovers(): Promise<void> {
    if (this.outboxInUse || !this.outbox?.isAvailable()) return;
    try {
      if (!(await this.outbox.hasEvents())) return;
    } catch {
      return;
    }
    this.outboxInUse = true;
    this.kick();
  }

  private async flush(): Promise<void> {
    let delay = 200;
    const wait = async () => {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, 5000);
    };
    while ((this.pending.length > 0 || this.outboxInUse) && !this.stopped) {
      if (this.outboxInUse) {
        // Behind events already in the outbox: new ones join them, then the outbox is relayed in order.
        if (this.pending.length > 0 && !(await this.spill())) {
          await wait();
          continue;
        }
        try {
          const sent = await this.outbox!.relay((event) => this.publish(event));
          if (sent < AUDIT_OUTBOX_BATCH && this.pending.length === 0) this.outboxInUse = false;
          delay = 200;
        } catch (error) {
          this.logger.warn(`Audit events in the outbox not sent yet: ${(error as Error).message}; retrying in ${delay} ms`);
          await wait();
        }
        continue;
      }
      const event = this.pending[0]!;
      // NATS is away: rather than wait in memory for it, the event waits in Postgres.
      if (!this.bus.isConnected() && (await this.spill())) {
        this.outboxInUse = true;
        continue;
      }
      try {
        await this.bus.publishEvent('audit.event.v1', event, event.id);
        this.pending.shift();
        delay = 200;
      } catch (error) {
        if (error instanceof ZodError) {
          // An event the contract refuses would be refused on every retry and hold back all the others.
          this.logger.error(
            `Audit event "${event.id}" (${event.action}) is invalid and was dropped: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
          this.pending.shift();
          continue;
        }
        if (await this.spill()) {
          this.logger.warn(
            `NATS did not take audit event "${event.id}" (${event.action}): ${(error as Error).message}; kept in the outbox`,
          );
          this.outboxInUse = true;
          continue;
        }
        this.logger.warn(`Audit event "${event.id}" (${event.action}) not sent yet: ${(error as Error).message}; retrying in ${delay} ms`);
        await wait();
      }
    }
  }

  /** Publishes an event from the outbox; one the contract refuses is dropped (it would block the outbox forever). */
  private async publish(event: AuditEvent): Promise<void> {
    try {
      await this.bus.publishEvent('audit.event.v1', event, event.id);
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      this.logger.error(`Audit event "${event.id}" (${event.action}) in the outbox is invalid and was dropped: ${error.message}`);
    }
  }

  /** Moves every waiting event to the outbox; false (they stay in memory) without a usable database. */
  private async spill(): Promise<boolean> {
    if (!this.outbox?.isAvailable()) return false;
    const events = this.pending.slice();
    try {
      await this.outbox.store(events);
    } catch (error) {
      this.logger.warn(`Could not keep ${events.length} audit event(s) in the outbox: ${(error as Error).message}`);
      return false;
    }
    this.pending.splice(0, events.length);
    return true;
  }
}
