import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A file uploaded through the Service API; its bytes live in the file storage under `storage_key`. */
@Entity({ name: 'upload_files' })
@Index('upload_files_workspace_idx', ['workspaceId', 'createdAt'])
export class UploadFileEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'bigint' })
  size!: string;

  @Column({ type: 'text' })
  extension!: string;

  @Column({ name: 'mime_type', type: 'text' })
  mimeType!: string;

  @Column({ name: 'created_by_role', type: 'text' })
  createdByRole!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
