import { Injectable } from '@nestjs/common';
import type { EraseStepRequest } from '@weft/contracts';
import { DatabaseService, exportSectionsPage, type ExportSectionsPage } from '@weft/persistence';
import type { EntityManager } from 'typeorm';

/** Knowledge tables, children first. */
const KNOWLEDGE_TABLES = ['child_chunks', 'segments', 'documents', 'metadata_fields', 'tag_bindings', 'tags', 'datasets'] as const;

const count = async (db: DatabaseService, m: EntityManager, sql: string, params: unknown[]): Promise<number> =>
  (await db.rowsIn<{ n: number }>(m, `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, params))[0]?.n ?? 0;

/**
 * What the rag service holds about an account: datasets and documents it created. Documents belong to their
 * workspace and stay when their author is erased, unless the erasure asks for them (`delete_documents`) or
 * the workspace itself is erased. Embeddings are cached by a hash of the text, so the cache holds no text.
 */
@Injectable()
export class PrivacyRepository {
  constructor(private readonly db: DatabaseService) {}

  exportPage(accountId: string, workspaceIds: string[], cursor: string | null): Promise<ExportSectionsPage> {
    const params = [accountId, workspaceIds];
    return exportSectionsPage(
      this.db,
      [
        {
          name: 'datasets',
          sql: `SELECT id, workspace_id, name, description, permission, indexing_technique, created_at, updated_at FROM rag.datasets
                WHERE created_by = $1 AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params,
        },
        {
          name: 'documents',
          sql: `SELECT id, workspace_id, dataset_id, name, data_source_type, source_text, doc_metadata, uploader, word_count, indexing_status, created_at, updated_at FROM rag.documents
                WHERE created_by = $1 AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params,
        },
        {
          name: 'document_segments',
          sql: `SELECT s.id, s.document_id, s.position, s.content, s.answer, s.keywords FROM rag.segments s JOIN rag.documents d ON d.id = s.document_id
                WHERE d.created_by = $1 AND d.workspace_id = ANY($2::uuid[]) ORDER BY s.document_id, s.position, s.id`,
          params,
        },
      ],
      cursor,
    );
  }

  /** Idempotent, in one transaction. */
  async erase(req: EraseStepRequest): Promise<Record<string, number>> {
    if (req.subject.type !== 'account') return {};
    const accountId = req.subject.accountId;
    return this.db.dataSource.transaction(async (m) => {
      const counts: Record<string, number> = {};
      if (req.deleteWorkspaceIds.length > 0) {
        for (const table of KNOWLEDGE_TABLES)
          counts[table] = await count(this.db, m, `DELETE FROM rag.${table} WHERE workspace_id = ANY($1::uuid[])`, [
            req.deleteWorkspaceIds,
          ]);
      }
      // The documents that stay keep no copy of the erased person's name (Dify's built-in `uploader` field).
      counts['uploader_names'] = await count(
        this.db,
        m,
        `UPDATE rag.documents SET uploader = NULL,
           doc_metadata = CASE WHEN doc_metadata ? 'uploader' THEN jsonb_set(doc_metadata, '{uploader}', 'null') ELSE doc_metadata END
         WHERE created_by = $1 AND workspace_id = ANY($2::uuid[]) AND (uploader IS NOT NULL OR doc_metadata ->> 'uploader' IS NOT NULL)`,
        [accountId, req.workspaceIds],
      );
      if (req.deleteDocuments) {
        const own = `SELECT id FROM rag.documents WHERE created_by = $1 AND workspace_id = ANY($2::uuid[])`;
        const params = [accountId, req.workspaceIds];
        counts['own_child_chunks'] = await count(this.db, m, `DELETE FROM rag.child_chunks WHERE document_id IN (${own})`, params);
        counts['own_segments'] = await count(this.db, m, `DELETE FROM rag.segments WHERE document_id IN (${own})`, params);
        counts['own_documents'] = await count(
          this.db,
          m,
          `DELETE FROM rag.documents WHERE created_by = $1 AND workspace_id = ANY($2::uuid[])`,
          params,
        );
      }
      return counts;
    });
  }
}
