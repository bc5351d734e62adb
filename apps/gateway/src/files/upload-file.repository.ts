import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';

/** An uploaded file's row in `gateway.upload_files`. */
export interface UploadFileRow {
  createdAt: Date;
  createdBy: string | null;
  createdByRole: 'account' | 'end_user';
  extension: string;
  id: string;
  mimeType: string;
  name: string;
  size: number;
  storageKey: string;
  workspaceId: string;
}

/** Rows of `gateway.upload_files`; the bytes themselves live in the file storage. */
@Injectable()
export class UploadFileRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Records a file whose bytes are already stored; the database sets `created_at`. */
  async insert(file: Omit<UploadFileRow, 'createdAt'>): Promise<UploadFileRow> {
    const rows: { created_at: Date }[] = await this.db.dataSource.query(
      `INSERT INTO gateway.upload_files (id, workspace_id, storage_key, name, size, extension, mime_type, created_by_role, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at`,
      [file.id, file.workspaceId, file.storageKey, file.name, file.size, file.extension, file.mimeType, file.createdByRole, file.createdBy],
    );
    return { ...file, createdAt: new Date(rows[0]!.created_at) };
  }

  /**
   * A file an end user of this app uploaded through the Service API, or null: for another workspace's or
   * another app's upload, and for documents accounts stored for knowledge bases. Both lookups go by primary key.
   */
  async findAppUpload(workspaceId: string, appId: string, id: string): Promise<UploadFileRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT f.id, f.workspace_id, f.storage_key, f.name, f.size, f.extension, f.mime_type, f.created_by_role, f.created_by, f.created_at
       FROM gateway.upload_files f JOIN gateway.end_users u ON u.id = f.created_by
       WHERE f.workspace_id = $1 AND f.id = $2 AND f.created_by_role = 'end_user' AND u.workspace_id = $1 AND u.app_id = $3`,
      [workspaceId, id, appId],
    );
    const row = rows[0];
    return row ? toRow(row) : null;
  }

  /** The upload with this id in this workspace, or null (also for another workspace's upload). */
  async findInWorkspace(workspaceId: string, id: string): Promise<UploadFileRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT id, workspace_id, storage_key, name, size, extension, mime_type, created_by_role, created_by, created_at
       FROM gateway.upload_files WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * The upload a signed file link names. The one lookup without a workspace: the link's signature, made
   * by the gateway for a caller of that workspace, is the authority, so the caller must check it first.
   */
  async findForSignedLink(id: string): Promise<UploadFileRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT id, workspace_id, storage_key, name, size, extension, mime_type, created_by_role, created_by, created_at
       FROM gateway.upload_files WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }
}

function toRow(row: Record<string, unknown>): UploadFileRow {
  return {
    createdAt: new Date(row['created_at'] as string),
    createdBy: row['created_by'] as string | null,
    createdByRole: row['created_by_role'] === 'account' ? 'account' : 'end_user',
    extension: row['extension'] as string,
    id: row['id'] as string,
    mimeType: row['mime_type'] as string,
    name: row['name'] as string,
    size: Number(row['size']),
    storageKey: row['storage_key'] as string,
    workspaceId: row['workspace_id'] as string,
  };
}
