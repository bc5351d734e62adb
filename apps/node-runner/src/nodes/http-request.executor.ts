import type { NodeJob } from '@weft/contracts';
import { isPlainObject, renderTemplate } from '@weft/workflow';
import { ResponseTooLargeError } from '../http/guarded-fetch.util';
import { buildHttpRequest, executeHttpRequest, HttpRequestNodeError, type BuiltHttpRequest, type HttpRequestNodeData } from '../http/http-request.util';
import type { SsrfGuard } from '../http/ssrf-guard.util';
import { failed, succeeded, type NodeExecutionContext, type NodeRunOutcome, type RemoteNodeExecutor } from './node-executor.types';

/** What the http-request node needs from its surroundings. */
export interface HttpRequestExecutorOptions {
  guard: SsrfGuard;
  maxResponseBytes: number;
  maxTimeoutSeconds: number;
}

const LOGGED_BODY_LIMIT = 100_000;

/**
 * The http-request node: renders the request from the pool, sends it through the SSRF guard and returns
 * status, body and headers. As in Dify, a non-2xx answer is a success unless the node has an error
 * strategy or retries, in which case it fails with HTTPResponseCodeError so those can act on it.
 */
export class HttpRequestExecutor implements RemoteNodeExecutor {
  constructor(private readonly options: HttpRequestExecutorOptions) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeRunOutcome> {
    const data = job.data as unknown as HttpRequestNodeData;
    let built: BuiltHttpRequest;
    try {
      built = buildHttpRequest(data, (template) => renderTemplate(template, ctx.pool));
    } catch (error) {
      if (error instanceof HttpRequestNodeError) return failed(error.errorType, error.message);
      return failed('HttpRequestNodeError', (error as Error).message);
    }
    const processData = { request: requestLog(built, data) };
    try {
      const outputs = await executeHttpRequest(built, { ...this.options, signal: ctx.signal });
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
  if (built.body) {
    const text = built.body.subarray(0, LOGGED_BODY_LIMIT).toString('utf8');
    raw += built.body.length > LOGGED_BODY_LIMIT ? `${text}… (${built.body.length} bytes)` : text;
  }
  return raw;
}
