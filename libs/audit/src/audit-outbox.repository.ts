import type { AuditEvent } from '@weft/contracts';
import type { DatabaseService } from '@weft/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The most events one relay pass takes from the outbox (one transaction, one DELETE). */
export const AUDIT_OUTBOX_BATCH = 100;

/**
 * The migration that creates a service's audit outbox, `<schema>.audit_outbox`: audit events this service
 * recorded while NATS could not take them. Every service with a database lists it among its migrations.
 */
export function auditOutboxMigration(schema: string): new () => MigrationInterface {
  return class CreateAuditOutbox1765200000000 implements MigrationInterface {
    name = 'CreateAuditOutbox1765200000000';

    async up(q: QueryRunner): Promise<void> {
      // `seq` keeps the order events were recorded in; the event id is the JetStream message id, so a relay
      // that sends an event twice (it died between sending and deleting) is stored once by compliance.
      await q.query(`CREATE TABLE "${schema}"."audit_outbox" (
        "seq" bigserial PRIMARY KEY,
        "id" uuid NOT NULL UNIQUE,
        "event" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}"."audit_outbox"`);
    }
  };
}

/**
 * A service's audit outbox in its own Postgres schema. Events go in when NATS refuses or cannot be reached,
 * so a process that dies while NATS is down loses none of them; `relay` sends them on, oldest first, and
 * deletes them in the same transaction. Rows are locked with SKIP LOCKED, so replicas relaying at once take
 * different events; an event sent by a relay that then died is sent again and deduplicated by its id.
 */
export class AuditOutbox {
  private readonly table: string;

  constructor(private readonly db: DatabaseService) {
    this.table = `"${db.schema}"."audit_outbox"`;
  }

  /** Whether the outbox can be used now (connected and migrated). */
  isAvailable(): boolean {
    return this.db.isAvailable();
  }

  /** Stores events, in order; an event already stored is skipped. */
  async store(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.rows(
      `INSERT INTO ${this.table} (id, event)
       SELECT e.id, e.event FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(value, n)
       CROSS JOIN LATERAL (SELECT (x.value->>'id')::uuid AS id, x.value AS event) e
       ORDER BY x.n
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(events)],
    );
  }

  /** Whether any event waits in the outbox. */
  async hasEvents(): Promise<boolean> {
    return (await this.db.rows(`SELECT 1 FROM ${this.table} LIMIT 1`)).length > 0;
  }

  /**
   * Sends up to AUDIT_OUTBOX_BATCH waiting events with `send`, oldest first, and deletes those sent. Answers how
   * many were sent; when `send` fails, nothing of this pass is deleted and the error is thrown.
   */
  async relay(send: (event: AuditEvent) => Promise<void>): Promise<number> {
    return this.db.dataSource.transaction(async (m) => {
      const rows = await this.db.rowsIn<{ event: AuditEvent; id: string }>(
        m,
        `SELECT id, event FROM ${this.table} ORDER BY seq LIMIT ${AUDIT_OUTBOX_BATCH} FOR UPDATE SKIP LOCKED`,
      );
      for (const row of rows) await send(row.event);
      if (rows.length > 0) await this.db.rowsIn(m, `DELETE FROM ${this.table} WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
