import type { WorkflowFile } from '@weft/workflow';
import { guardedFetch, type SsrfGuard } from '@weft/outbound-http';
import { UploadedFileNotFoundError, type UploadedFileSource } from './uploaded-files.service';

/** What the reader needs to fetch remote files and read uploaded ones. */
export interface WorkflowFileReaderOptions {
  guard: SsrfGuard;
  maxResponseBytes: number;
  timeoutMs: number;
  /** Tool files (`tool_file`), read the same way as uploads. */
  toolFiles: UploadedFileSource;
  uploads: UploadedFileSource;
}

/** A file's bytes, the name to give it and the size limit that applied to reading it. */
export interface WorkflowFileBytes {
  body: Buffer;
  /** The store's or the server's mime type, without parameters; the File's own `mime_type` is not consulted. */
  contentType?: string;
  /** Set for downloads (the response limit); uploads were bounded by the upload limit already. */
  maxBytes?: number;
  name: string;
}

/** A file could not be read; `errorType` is the class name Dify reports for it. */
export class FileDownloadError extends Error {
  override readonly name = 'FileDownloadError';
  readonly errorType = 'FileDownloadError';
}

/**
 * Reads the bytes of a workflow File value for the nodes that consume files. Uploaded files
 * (`local_file`) come from the file storage, only within the job's workspace; files given by URL
 * (`remote_url`) are downloaded through the SSRF guard; files tools produced (`tool_file`) come from the
 * file storage too, only within the job's workspace. Weft keeps no datasource files, so those fail with a
 * message saying what to do instead.
 */
export class WorkflowFileReader {
  constructor(private readonly options: WorkflowFileReaderOptions) {}

  /** The file's bytes; throws FileDownloadError with a message naming the file. */
  read(file: WorkflowFile, workspaceId: string, signal: AbortSignal): Promise<WorkflowFileBytes> {
    const name = workflowFileName(file);
    switch (file.transfer_method) {
      case 'local_file':
        return this.readUpload(file, workspaceId, name);
      case 'remote_url':
        // A remote mapping that named an upload instead of a URL was resolved to that upload.
        if (!(file.remote_url ?? file.url) && uploadIdOf(file)) return this.readUpload(file, workspaceId, name);
        return this.download(file, name, signal);
      case 'tool_file':
        return this.readToolFile(file, workspaceId, name);
      case 'datasource_file':
        return Promise.reject(
          new FileDownloadError(
            `Cannot read "${name}": files with transfer_method "${file.transfer_method}" are not stored by Weft; upload the file (local_file) or pass it by URL (remote_url).`,
          ),
        );
      default:
        return Promise.reject(new FileDownloadError(`Cannot read "${name}": unknown transfer_method "${String(file.transfer_method)}".`));
    }
  }

  private async readUpload(file: WorkflowFile, workspaceId: string, name: string): Promise<WorkflowFileBytes> {
    const id = uploadIdOf(file);
    if (!id) throw new FileDownloadError(`Cannot read "${name}": the file names no upload.`);
    try {
      const upload = await this.options.uploads.read(workspaceId, id);
      return {
        body: upload.data,
        contentType: upload.mimeType,
        maxBytes: undefined,
        name: file.filename || file['name'] ? name : upload.name,
      };
    } catch (error) {
      if (error instanceof UploadedFileNotFoundError)
        throw new FileDownloadError(`Failed to read "${name}": upload file "${id}" not found.`);
      throw new FileDownloadError(`Failed to read "${name}": ${(error as Error).message}`);
    }
  }

  private async readToolFile(file: WorkflowFile, workspaceId: string, name: string): Promise<WorkflowFileBytes> {
    const id = [file.related_id, file.tool_file_id].find((c): c is string => typeof c === 'string' && c !== '');
    if (!id) throw new FileDownloadError(`Cannot read "${name}": the file names no tool file.`);
    try {
      const stored = await this.options.toolFiles.read(workspaceId, id);
      return { body: stored.data, contentType: stored.mimeType, maxBytes: undefined, name: file.filename ? name : stored.name };
    } catch (error) {
      if (error instanceof UploadedFileNotFoundError) throw new FileDownloadError(`Failed to read "${name}": tool file "${id}" not found.`);
      throw new FileDownloadError(`Failed to read "${name}": ${(error as Error).message}`);
    }
  }

  private async download(file: WorkflowFile, name: string, signal: AbortSignal): Promise<WorkflowFileBytes> {
    const url = file.remote_url ?? file.url;
    if (!url) throw new FileDownloadError(`Cannot read "${name}": the file has no URL.`);
    try {
      const response = await guardedFetch(url, {
        guard: this.options.guard,
        maxResponseBytes: this.options.maxResponseBytes,
        method: 'GET',
        signal,
        timeoutMs: this.options.timeoutMs,
      });
      if (response.status < 200 || response.status > 299) throw new Error(`the server answered HTTP ${response.status}`);
      const contentType = response.headers['content-type']?.split(';')[0].trim() || undefined;
      return { body: response.body, contentType, maxBytes: this.options.maxResponseBytes, name };
    } catch (error) {
      throw new FileDownloadError(`Failed to download "${name}": ${(error as Error).message}`);
    }
  }
}

/** The file's name with an extension when one is known, since consumers decide by the extension. */
export function workflowFileName(file: WorkflowFile): string {
  const named = [file.filename, file['name']].find((n): n is string => typeof n === 'string' && n !== '');
  let name = named;
  if (!name) {
    const url = file.remote_url ?? file.url;
    try {
      name = url ? decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') : '';
    } catch {
      name = '';
    }
  }
  name ||= 'file';
  const extension = file.extension?.replace(/^\./, '');
  if (extension && !/\.[A-Za-z0-9]+$/.test(name)) name = `${name}.${extension}`;
  return name;
}

/** The upload a file refers to: `related_id` in a resolved File, `upload_file_id` in a client mapping. */
function uploadIdOf(file: WorkflowFile): string | null {
  for (const candidate of [file.related_id, file.upload_file_id]) if (typeof candidate === 'string' && candidate !== '') return candidate;
  return null;
}
