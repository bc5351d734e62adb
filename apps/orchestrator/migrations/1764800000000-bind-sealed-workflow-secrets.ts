import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The secrets in workflow documents (secret environment values, API keys typed into http-request nodes)
 * are sealed bound to their app (`v2`, workspace and app as AES-GCM associated data). The check names
 * exactly the places secret-environment.util.ts seals, and from here on refuses a value of the old unbound
 * format (`v1`) there: an older orchestrator still running during the roll-out fails to save such a draft
 * rather than store a secret the new ones refuse. `NOT VALID` keeps the rows stored before; they are
 * re-sealed bound to their apps by the orchestrator at its next start (a migration has no keys) or by
 * `npm run secrets:rotate` (docs/security.md, "Sealed secrets").
 */
export class BindSealedWorkflowSecrets1764800000000 implements MigrationInterface {
  name = 'BindSealedWorkflowSecrets1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "orchestrator"."workflows" ADD CONSTRAINT "CHK_workflows_bound_secrets" CHECK (` +
        `NOT jsonb_path_exists("document", '$.workflow.environment_variables[*] ? (@.value_type == "secret" && @.value like_regex "^v1:")') ` +
        `AND NOT jsonb_path_exists("document", '$.workflow.graph.nodes[*].data ? (@.type == "http-request").authorization.config.api_key ? (@ like_regex "^v1:")')` +
        `) NOT VALID`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "orchestrator"."workflows" DROP CONSTRAINT "CHK_workflows_bound_secrets"`);
  }
}
