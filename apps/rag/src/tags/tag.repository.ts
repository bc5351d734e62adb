import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUuid } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import type { TagRow } from './tag.dto';

/** The type of every tag the Knowledge API manages (Dify's `TagType.KNOWLEDGE`). */
export const KNOWLEDGE_TAG = 'knowledge';

const toRow = (r: Record<string, unknown>): TagRow => ({
  bindingCount: Number(r['binding_count'] ?? 0),
  id: r['id'] as string,
  name: r['name'] as string,
  type: r['type'] as string,
});

/** Knowledge tags of workspaces and their bindings to datasets; every query names the workspace. */
@Injectable()
export class TagRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The workspace's knowledge tags with how many datasets each is bound to, newest first (Dify's order). */
  async list(workspaceId: string): Promise<TagRow[]> {
    const rows = await this.db.rows(
      `SELECT t.id, t.name, t.type, (SELECT count(*)::int FROM rag.tag_bindings b WHERE b.tag_id = t.id) AS binding_count
       FROM rag.tags t WHERE t.workspace_id = $1 AND t.type = $2 ORDER BY t.created_at DESC, t.id`,
      [workspaceId, KNOWLEDGE_TAG],
    );
    return rows.map(toRow);
  }

  async find(workspaceId: string, id: string): Promise<TagRow | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.rows(
      `SELECT t.id, t.name, t.type, (SELECT count(*)::int FROM rag.tag_bindings b WHERE b.tag_id = t.id) AS binding_count
       FROM rag.tags t WHERE t.workspace_id = $1 AND t.type = $2 AND t.id = $3`,
      [workspaceId, KNOWLEDGE_TAG, id],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Creates a tag; null when the workspace already has a knowledge tag by that name. */
  async create(workspaceId: string, name: string, createdBy: string | null): Promise<TagRow | null> {
    const rows = await this.db.rows(
      `INSERT INTO rag.tags (id, workspace_id, type, name, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (workspace_id, type, name) DO NOTHING RETURNING id, name, type, 0 AS binding_count`,
      [randomUUID(), workspaceId, KNOWLEDGE_TAG, name, createdBy],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Renames a tag; null when there is no such tag, 'duplicate' when another tag has the name. */
  async rename(workspaceId: string, id: string, name: string): Promise<TagRow | null | 'duplicate'> {
    if (!isUuid(id)) return null;
    try {
      const rows = await this.db.rows<{ id: string }>(
        `UPDATE rag.tags SET name = $4 WHERE workspace_id = $1 AND type = $2 AND id = $3 RETURNING id`,
        [workspaceId, KNOWLEDGE_TAG, id, name],
      );
      return rows[0] ? this.find(workspaceId, id) : null;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return 'duplicate';
      throw error;
    }
  }

  /** Deletes a tag with its bindings, in one transaction; false when there is no such tag. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.db.dataSource.transaction(async (m) => {
      const deleted = await this.db.rowsIn(m, `DELETE FROM rag.tags WHERE workspace_id = $1 AND type = $2 AND id = $3 RETURNING id`, [
        workspaceId,
        KNOWLEDGE_TAG,
        id,
      ]);
      if (deleted.length === 0) return false;
      await m.query(`DELETE FROM rag.tag_bindings WHERE tag_id = $1`, [id]);
      return true;
    });
  }

  /** Binds the workspace's knowledge tags among `tagIds` to a dataset (others are ignored, as Dify ignores them); idempotent. */
  async bind(workspaceId: string, datasetId: string, tagIds: string[], createdBy: string | null): Promise<number> {
    const ids = [...new Set(tagIds.filter(isUuid).map((t) => t.toLowerCase()))];
    if (ids.length === 0) return 0;
    const rows = await this.db.rows(
      `INSERT INTO rag.tag_bindings (id, workspace_id, tag_id, target_id, created_by)
       SELECT gen_random_uuid(), t.workspace_id, t.id, $3, $4 FROM rag.tags t WHERE t.workspace_id = $1 AND t.type = $5 AND t.id = ANY($2::uuid[])
       ON CONFLICT (tag_id, target_id) DO NOTHING RETURNING id`,
      [workspaceId, ids, datasetId, createdBy, KNOWLEDGE_TAG],
    );
    return rows.length;
  }

  /** Unbinds the workspace's knowledge tags among `tagIds` from a dataset; unbound ones are no error. */
  async unbind(workspaceId: string, datasetId: string, tagIds: string[]): Promise<number> {
    const ids = [...new Set(tagIds.filter(isUuid).map((t) => t.toLowerCase()))];
    if (ids.length === 0) return 0;
    const rows = await this.db.rows(
      `DELETE FROM rag.tag_bindings b USING rag.tags t
       WHERE b.tag_id = t.id AND t.workspace_id = $1 AND t.type = $4 AND b.target_id = $2 AND b.tag_id = ANY($3::uuid[]) RETURNING b.id`,
      [workspaceId, datasetId, ids, KNOWLEDGE_TAG],
    );
    return rows.length;
  }

  /** The knowledge tags bound to a dataset, by name. */
  async ofDataset(workspaceId: string, datasetId: string): Promise<{ id: string; name: string }[]> {
    return this.db.rows(
      `SELECT t.id, t.name FROM rag.tag_bindings b JOIN rag.tags t ON t.id = b.tag_id
       WHERE b.target_id = $2 AND t.workspace_id = $1 AND t.type = $3 ORDER BY t.name, t.id`,
      [workspaceId, datasetId, KNOWLEDGE_TAG],
    );
  }
}
