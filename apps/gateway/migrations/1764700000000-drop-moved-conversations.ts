import { MigrationInterface, QueryRunner } from 'typeorm';

/** Children first, so nothing is dropped while a row that names it remains. */
const TABLES = ['message_feedbacks', 'messages', 'conversations', 'erased_usage'] as const;

/**
 * Conversations, messages, feedback and erased usage belong to the orchestrator now (its migration of the
 * same date moves the tables). Where the orchestrator migrated first on a new database and created its own
 * tables, the gateway's earlier migrations still created empty ones here: any rows they hold are copied
 * over and the gateway's copies dropped. Where the orchestrator has not migrated yet, nothing happens here
 * and its migration moves the tables whole.
 */
export class DropMovedConversations1764700000000 implements MigrationInterface {
  name = 'DropMovedConversations1764700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      const [found] = (await q.query(`SELECT to_regclass($1) AS gateway, to_regclass($2) AS orchestrator`, [
        `gateway.${table}`,
        `orchestrator.${table}`,
      ])) as {
        gateway: string | null;
        orchestrator: string | null;
      }[];
      if (!found?.gateway || !found.orchestrator) continue;
      await q.query(`INSERT INTO "orchestrator"."${table}" SELECT * FROM "gateway"."${table}" ON CONFLICT DO NOTHING`);
      await q.query(`DROP TABLE "gateway"."${table}"`);
    }
  }

  async down(): Promise<void> {
    // The tables live on in the orchestrator's schema; its migration's down moves them back.
  }
}
