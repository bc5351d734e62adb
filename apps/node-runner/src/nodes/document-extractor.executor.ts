import type { NodeJob } from '@weft/contracts';
import { DocumentError, UnsupportedDocumentError, extractText } from '@weft/documents';
import { isFileValue, type WorkflowFile } from '@weft/workflow';
import { UploadedFileNotFoundError, type UploadedFileSource } from '../files/uploaded-files.service';
import { guardedFetch } from '../http/guarded-fetch.util';
import type { SsrfGuard } from '../http/ssrf-guard.util';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeRunOutcome, type RemoteNodeExecutor } from './node-executor.types';

/** What the document extractor needs to fetch remote files and read uploaded ones. */
export interface DocumentExtractorOptions {
  guard: SsrfGuard;
  maxResponseBytes: number;
  timeoutMs: number;
  uploads: UploadedFileSource;
}

/** A failure with the class name Dify reports for it. */
class DocumentExtractorFailure extends Error {
  constructor(
    readonly errorType: 'DocumentExtractorError' | 'FileDownloadError' | 'TextExtractionError' | 'UnsupportedFileTypeError',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The document-extractor node: reads the text of a file variable (`text` is a string) or of a file list
 * (`text` is a list of strings, one per file). Files given by URL (`transfer_method: remote_url`) are
 * downloaded through the SSRF guard. Uploaded files (`local_file`) are read from the file storage, only
 * within the run's workspace. Weft keeps no tool files yet, so `tool_file` fails with a clear message.
 */
export class DocumentExtractorExecutor implements RemoteNodeExecutor {
  constructor(private readonly options: DocumentExtractorOptions) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeRunOutcome> {
    const selector = asSelector(job.data['variable_selector']);
    if (!selector) return failed('DocumentExtractorError', 'The document extractor has no valid variable selector.');
    const inputs = { variable_selector: selector };
    const value = ctx.pool.get(selector);
    if (value === undefined || value === null) {
      return failed('DocumentExtractorError', `File variable not found for selector: ${selector.join('.')}`, { inputs });
    }
    const single = isFileValue(value);
    if (!single && !(Array.isArray(value) && value.every((item) => isFileValue(item)))) {
      return failed('DocumentExtractorError', `Variable ${selector.join('.')} is not a file or a list of files.`, { inputs });
    }
    const files: WorkflowFile[] = single ? [value] : (value as WorkflowFile[]);
    const processData = { documents: files.map(describeFile) };
    try {
      const texts: string[] = [];
      // One at a time: files can be large, and a list is rarely long.
      for (const file of files) texts.push(await this.extract(file, job.workspaceId, ctx.signal));
      return succeeded({ inputs, outputs: { text: single ? texts[0] : texts }, processData });
    } catch (error) {
      if (error instanceof DocumentExtractorFailure) return failed(error.errorType, error.message, { inputs, processData });
      throw error;
    }
  }

  private async extract(file: WorkflowFile, workspaceId: string, signal: AbortSignal): Promise<string> {
    const { body, contentType, maxBytes, name } = await this.read(file, workspaceId, signal);
    try {
      const document = await extractText({ data: body, filename: name, maxBytes, mimeType: file.mime_type ?? contentType });
      return document.text;
    } catch (error) {
      if (error instanceof UnsupportedDocumentError) throw new DocumentExtractorFailure('UnsupportedFileTypeError', error.message);
      if (error instanceof DocumentError) throw new DocumentExtractorFailure('TextExtractionError', error.message);
      throw new DocumentExtractorFailure('TextExtractionError', `Failed to extract text from "${name}": ${(error as Error).message}`);
    }
  }

  private read(file: WorkflowFile, workspaceId: string, signal: AbortSignal): Promise<FileBytes> {
    const name = fileName(file);
    switch (file.transfer_method) {
      case 'local_file':
        return this.readUpload(file, workspaceId, name);
      case 'remote_url':
        // A remote mapping that named an upload instead of a URL was resolved to that upload.
        if (!(file.remote_url ?? file.url) && uploadIdOf(file)) return this.readUpload(file, workspaceId, name);
        return this.download(file, name, signal);
      case 'tool_file':
      case 'datasource_file':
        throw new DocumentExtractorFailure(
          'FileDownloadError',
          `Cannot read "${name}": files with transfer_method "${file.transfer_method}" are not stored by Weft; upload the file (local_file) or pass it by URL (remote_url).`,
        );
      default:
        throw new DocumentExtractorFailure('FileDownloadError', `Cannot read "${name}": unknown transfer_method "${String(file.transfer_method)}".`);
    }
  }

  private async readUpload(file: WorkflowFile, workspaceId: string, name: string): Promise<FileBytes> {
    const id = uploadIdOf(file);
    if (!id) throw new DocumentExtractorFailure('FileDownloadError', `Cannot read "${name}": the file names no upload.`);
    try {
      const upload = await this.options.uploads.read(workspaceId, id);
      // The upload limit already bounded the file; the response limit is for downloads.
      return { body: upload.data, contentType: upload.mimeType, maxBytes: undefined, name: file.filename || file['name'] ? name : upload.name };
    } catch (error) {
      if (error instanceof UploadedFileNotFoundError) throw new DocumentExtractorFailure('FileDownloadError', `Failed to read "${name}": upload file "${id}" not found.`);
      throw new DocumentExtractorFailure('FileDownloadError', `Failed to read "${name}": ${(error as Error).message}`);
    }
  }

  private async download(file: WorkflowFile, name: string, signal: AbortSignal): Promise<FileBytes> {
    const url = file.remote_url ?? file.url;
    if (!url) throw new DocumentExtractorFailure('FileDownloadError', `Cannot read "${name}": the file has no URL.`);
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
      throw new DocumentExtractorFailure('FileDownloadError', `Failed to download "${name}": ${(error as Error).message}`);
    }
  }
}

/** A file's bytes, how to name it for extraction and the size limit that applies. */
interface FileBytes {
  body: Buffer;
  contentType: string | undefined;
  maxBytes: number | undefined;
  name: string;
}

/** The upload a file refers to: `related_id` in a resolved File, `upload_file_id` in a client mapping. */
function uploadIdOf(file: WorkflowFile): string | null {
  for (const candidate of [file.related_id, file.upload_file_id]) if (typeof candidate === 'string' && candidate !== '') return candidate;
  return null;
}

/** The file's name with an extension when one is known, since the extension decides how it is read. */
function fileName(file: WorkflowFile): string {
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

function describeFile(file: WorkflowFile): Record<string, unknown> {
  return { extension: file.extension ?? null, mime_type: file.mime_type ?? null, name: fileName(file), size: file.size ?? null, transfer_method: file.transfer_method };
}
