import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { isFileValue, isPlainObject, renderTemplate, type VariablePool, type WorkflowFile } from '@weft/workflow';
import { FileDownloadError, type WorkflowFileReader } from '../../files/workflow-file-reader.service';
import { ResponseTooLargeError, type SsrfGuard } from '@weft/outbound-http';
import {
  bodyFileSelectors,
  buildHttpRequest,
  executeHttpRequest,
  HttpRequestNodeError,
  type BuiltHttpRequest,
  type HttpRequestNodeData,
  type ResolvedFile,
} from '../../http/http-request.util';
import { failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';

/** What the http-request node needs from its surroundings. */
export interface HttpRequestExecutorOptions {
  /** Reads the files a form-data or binary body sends. */
  files: WorkflowFileReader;
  guard: SsrfGuard;
  maxResponseBytes: number;
  maxTimeoutSeconds: number;
}

const LOGGED_BODY_LIMIT = 100_000;

/**
 * The http-request node: renders the request from the pool, sends it through the SSRF guard and returns
 * status, body and headers. As in Dify, a non-2xx answer is a success unless the node has an error
 * strategy or retries, in which case it fails with HTTPResponseCodeError so those can act on it.
 * Files a form-data or binary body refers to are read (uploads of the job's workspace, or URLs through
 * the SSRF guard) before the request is built; one that cannot be read fails the node with FileFetchError.
 */
export class HttpRequestExecutor implements NodeJobExecutor {
  constructor(private readonly options: HttpRequestExecutorOptions) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const data = job.data as unknown as HttpRequestNodeData;
    let built: BuiltHttpRequest;
    try {
      const files = await this.resolveFiles(data, ctx.pool, job.workspaceId, ctx.signal);
      built = buildHttpRequest(data, (template) => renderTemplate(template, ctx.pool), { files });
    } catch (error) {
      if (error instanceof HttpRequestNodeError) return failed(error.errorType, error.message);
      return failed('HttpRequestNodeError', (error as Error).message);
    }
    const processData = { request: requestLog(built, data) };
    try {
      const { guard, maxResponseBytes, maxTimeoutSeconds } = this.options;
      const outputs = await executeHttpRequest(built, { guard, maxResponseBytes, maxTimeoutSeconds, signal: ctx.signal });
      const result = { outputs: { ...outputs }, processData };
      if ((outputs.status_code < 200 || outputs.status_code > 299) && failsOnStatus(job.data)) {
        return failed('HTTPResponseCodeError', `Request failed with status code ${outputs.status_code}`, result);
      }
      return succeeded(result);
    } catch (error) {
      if (error instanceof ResponseTooLargeError) return failed('ResponseSizeError', error.message, { processData });
      return failed('HttpRequestNodeError', (error as Error).message, { processData });
    }
  }

  /**
   * Reads every file the body refers to, each selector once. An absent form-data variable is left out,
   * as in Dify (an optional file input); an absent binary file, or a value that is no file, is an error.
   */
  private async resolveFiles(
    data: HttpRequestNodeData,
    pool: VariablePool,
    workspaceId: string,
    signal: AbortSignal,
  ): Promise<Map<string, ResolvedFile[]>> {
    const resolved = new Map<string, ResolvedFile[]>();
    for (const { key, selector, single } of bodyFileSelectors(data.body ?? undefined)) {
      if (resolved.has(key)) continue;
      const value = pool.get(selector);
      if (value === undefined || value === null) {
        if (single) throw new HttpRequestNodeError('FileFetchError', `cannot fetch file with selector ${key}: the variable does not exist`);
        continue;
      }
      let files: WorkflowFile[];
      if (isFileValue(value)) files = [value];
      else if (!single && Array.isArray(value) && value.every((item) => isFileValue(item))) files = value as WorkflowFile[];
      else
        throw new HttpRequestNodeError(
          'FileFetchError',
          `cannot fetch file with selector ${key}: the variable is not ${single ? 'a single file' : 'a file or a list of files'}`,
        );
      const read: ResolvedFile[] = [];
      // One at a time: files can be large, and a body rarely carries many.
      for (const file of files) {
        try {
          const bytes = await this.options.files.read(file, workspaceId, signal);
          read.push({ contentType: file.mime_type || bytes.contentType, data: bytes.body, name: bytes.name });
        } catch (error) {
          if (error instanceof FileDownloadError) throw new HttpRequestNodeError('FileFetchError', error.message);
          throw error;
        }
      }
      resolved.set(key, read);
    }
    return resolved;
  }
}

/** Dify lets a bad status through unless an error strategy or retries are configured to handle it. */
function failsOnStatus(data: Record<string, unknown>): boolean {
  const strategy = data['error_strategy'];
  const retry = data['retry_config'];
  return strategy === 'fail-branch' || strategy === 'default-value' || (isPlainObject(retry) && retry['retry_enabled'] === true);
}

/** The request as raw HTTP text for process_data, with the credential header masked as Dify does. */
function requestLog(built: BuiltHttpRequest, data: HttpRequestNodeData): string {
  const url = new URL(built.url);
  const masked = new Set(['authorization']);
  const custom = data.authorization?.config?.header;
  if (data.authorization?.type === 'api-key' && custom) masked.add(custom.toLowerCase());
  let raw = `${built.method} ${url.pathname || '/'}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [key, value] of Object.entries(built.headers)) {
    raw += `${key}: ${masked.has(key.toLowerCase()) ? '*'.repeat(value.length) : value}\r\n`;
  }
  raw += '\r\n';
  if (built.bodyLog !== undefined) raw += built.bodyLog;
  else if (built.body) {
    const text = built.body.subarray(0, LOGGED_BODY_LIMIT).toString('utf8');
    raw += built.body.length > LOGGED_BODY_LIMIT ? `${text}… (${built.body.length} bytes)` : text;
  }
  return raw;
}
