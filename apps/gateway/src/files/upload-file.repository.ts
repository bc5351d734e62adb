import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';

/** An uploaded file's row in `gateway.upload_files`. */
export interface UploadFileRow {
  createdAt: Date;
  createdBy: string | null;
  createdByRole: 'end_user';
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
}
