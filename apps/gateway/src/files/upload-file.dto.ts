import { DomainError } from '@weft/contracts';
import { z } from 'zod';
import { epochSeconds } from '../docs/common.dto';
import type { UploadFileRow } from './upload-file.repository';

/** One file part of a multipart upload, as the multipart parser handed it over. */
export interface IncomingFile {
  buffer: Buffer;
  fieldName: string;
  mimeType: string;
  /** The name the client sent, path included; undefined when the part had no (or an empty) filename. */
  originalName: string | undefined;
}

/** What `POST /v1/files/upload` received: its file parts and the form fields that matter. */
export interface UploadRequest {
  files: IncomingFile[];
  /** A `file` part came without a filename, so the multipart parser took it for a plain form field. */
  namelessFile: boolean;
  user: string | undefined;
}

/** Dify's 201 answer to `POST /v1/files/upload`, fields in Dify's order so responses compare line by line. */
export const FileUploadResponseSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  size: z.number().int(),
  extension: z.string(),
  mime_type: z.string(),
  created_by: z.string().nullable(),
  created_at: epochSeconds,
  preview_url: z.null(),
  source_url: z.string(),
  original_url: z.null(),
  reference: z.null(),
  user_id: z.string().nullable(),
  tenant_id: z.string().uuid(),
  conversation_id: z.null(),
  file_key: z.string(),
});
export type UploadFileResponse = z.infer<typeof FileUploadResponseSchema>;

/**
 * The form fields besides the file. `user` absent or empty means Dify's default end user; anything but one
 * string is refused. A body that was not multipart never carries a nameless file part.
 */
export function readUploadForm(body: unknown, multipart: boolean): Pick<UploadRequest, 'namelessFile' | 'user'> {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const user = fields['user'];
  if (user !== undefined && typeof user !== 'string') throw new DomainError('invalid_param', 'user: Expected a single string');
  return { namelessFile: multipart && fields['file'] !== undefined, user: user === '' ? undefined : user };
}

/**
 * The stored upload in Dify's shape, fields in Dify's order. Weft serves no signed preview or download
 * URLs yet, so `preview_url` is null and `source_url` empty, as Dify has them before it signs one; an
 * upload through the Service API belongs to no conversation and quotes no remote URL.
 */
export function toUploadFileResponse(row: UploadFileRow): UploadFileResponse {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    extension: row.extension,
    mime_type: row.mimeType,
    created_by: row.createdBy,
    created_at: Math.floor(row.createdAt.getTime() / 1000),
    preview_url: null,
    source_url: '',
    original_url: null,
    reference: null,
    user_id: row.createdBy,
    tenant_id: row.workspaceId,
    conversation_id: null,
    file_key: row.storageKey,
  };
}
