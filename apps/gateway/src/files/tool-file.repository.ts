import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';

/** A file a tool produced, as `gateway.tool_files` holds it. */
export interface ToolFileRow {
  appId: string;
  conversationId: string | null;
  createdAt: Date;
  /** With the dot (`.mp3`). */
  extension: string;
  id: string;
  mimeType: string;
  name: string;
  size: number;
  storageKey: string;
  workspaceId: string;
}

const COLUMNS = 'id, workspace_id, app_id, conversation_id, name, extension, mime_type, size, storage_key, created_at';

/** Rows of `gateway.tool_files`; the bytes live in the file storage. */
@Injectable()
export class ToolFileRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Records a tool file whose bytes are already stored. */
  async insert(file: Omit<ToolFileRow, 'createdAt'>): Promise<void> {
    await this.db.dataSource.query(
      `INSERT INTO gateway.tool_files (id, workspace_id, app_id, conversation_id, name, extension, mime_type, size, storage_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [file.id, file.workspaceId, file.appId, file.conversationId, file.name, file.extension, file.mimeType, file.size, file.storageKey],
    );
  }

  /** The tool file with this id in this workspace, or null (also for another workspace's file). */
  async findInWorkspace(workspaceId: string, id: string): Promise<ToolFileRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT ${COLUMNS} FROM gateway.tool_files WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * The tool file a signed link names. The one lookup without a workspace: the link's signature, made by the
   * gateway for a run of that workspace, is the authority, so the caller checks it first.
   */
  async findForSignedLink(id: string): Promise<ToolFileRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM gateway.tool_files WHERE id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }
}

function toRow(row: Record<string, unknown>): ToolFileRow {
  return {
    appId: row['app_id'] as string,
    conversationId: (row['conversation_id'] as string | null) ?? null,
    createdAt: new Date(row['created_at'] as string),
    extension: row['extension'] as string,
    id: row['id'] as string,
    mimeType: row['mime_type'] as string,
    name: row['name'] as string,
    size: Number(row['size']),
    storageKey: row['storage_key'] as string,
    workspaceId: row['workspace_id'] as string,
  };
}
