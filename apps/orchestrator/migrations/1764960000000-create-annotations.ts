import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Annotations of chat apps (Dify's annotation reply), their app's reply setting and the jobs that enable or
 * disable it. Questions keep their embedding here, in pgvector, beside the conversations they answer.
 */
export class CreateAnnotations1764960000000 implements MigrationInterface {
  name = 'CreateAnnotations1764960000000';

  async up(q: QueryRunner): Promise<void> {
    // The rag service creates the extension too; services migrate in any order, possibly at the same moment,
    // and CREATE EXTENSION IF NOT EXISTS is not safe against a concurrent twin: the loser's unique violation is the winner's work.
    await q.query(`
      DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS vector;
      EXCEPTION WHEN unique_violation THEN NULL;
      END $$`);
    await q.query(`
      CREATE TABLE "orchestrator"."message_annotations" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "question" text NOT NULL,
        "answer" text NOT NULL,
        "hit_count" integer NOT NULL DEFAULT 0,
        "account_id" uuid,
        "embedding" vector,
        "embedding_model" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_message_annotations_id" PRIMARY KEY ("id")
      )`);
    // Serves the list of an app's annotations newest first (AnnotationRepository.page) and narrows the nearest-question
    // search and the indexing scans to one app (AnnotationRepository.nearest, unembedded).
    await q.query(
      `CREATE INDEX "message_annotations_app_created_idx" ON "orchestrator"."message_annotations" ("workspace_id", "app_id", "created_at", "id")`,
    );
    await q.query(`
      CREATE TABLE "orchestrator"."annotation_settings" (
        "app_id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "score_threshold" double precision NOT NULL,
        "embedding_provider" text NOT NULL,
        "embedding_model" text NOT NULL,
        "model_key" text NOT NULL,
        "updated_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_annotation_settings_app_id" PRIMARY KEY ("app_id")
      )`);
    await q.query(`
      CREATE TABLE "orchestrator"."annotation_jobs" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "action" text NOT NULL,
        "status" text NOT NULL,
        "error" text NOT NULL DEFAULT '',
        "score_threshold" double precision,
        "embedding_provider" text,
        "embedding_model" text,
        "account_id" uuid,
        "lease_owner" text,
        "lease_expires_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_annotation_jobs_id" PRIMARY KEY ("id")
      )`);
    // Serves finding an app's unfinished jobs oldest first (AnnotationRepository.inFlight, claimNext). The sweep over
    // every unfinished job reads the whole table, which stays small: finished jobs are deleted after ten minutes.
    await q.query(`CREATE INDEX "annotation_jobs_app_created_idx" ON "orchestrator"."annotation_jobs" ("app_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orchestrator"."annotation_jobs"`);
    await q.query(`DROP TABLE "orchestrator"."annotation_settings"`);
    await q.query(`DROP TABLE "orchestrator"."message_annotations"`);
  }
}
