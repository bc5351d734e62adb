import { randomBytes } from 'node:crypto';
import { guardedFetch, type SsrfGuard } from '@weft/outbound-http';

/** The `data` of a Dify http-request node, as it appears in the DSL. */
export interface HttpRequestNodeData {
  method: string;
  url: string;
  authorization?: {
    type: 'no-auth' | 'api-key';
    config?: { type: 'basic' | 'bearer' | 'custom'; api_key?: string; header?: string } | null;
  };
  headers?: string;
  params?: string;
  body?: {
    type: 'none' | 'form-data' | 'x-www-form-urlencoded' | 'raw-text' | 'json' | 'binary';
    // Old DSL files store a raw-text or JSON body as a bare string.
    data?: HttpRequestBodyItem[] | string | null;
  } | null;
  timeout?: { connect?: number | null; read?: number | null; write?: number | null } | null;
  ssl_verify?: boolean | null;
}

export interface HttpRequestBodyItem {
  key?: string;
  type: 'text' | 'file';
  value?: string;
  file?: string[];
}

/** A request ready to send: templates rendered, auth and content type applied, body encoded. */
export interface BuiltHttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The body as process_data shows it when it carries files: their bytes replaced by a size note, as Dify logs them. */
  bodyLog?: string;
  contentType: string | undefined;
  /** Seconds, as the node asked; executeHttpRequest caps them. */
  timeout: { connect?: number; read?: number; write?: number };
  sslVerify: boolean | undefined;
  /** The header the node's API-key authorization goes in, when it has one: never sent on to another origin. */
  credentialHeader?: string;
}

/** The http-request node's outputs, with Dify's names. */
export interface HttpRequestNodeOutputs {
  status_code: number;
  body: string;
  headers: Record<string, string>;
  files: unknown[];
}

/** Dify's error classes for this node; `errorType` carries the class name Dify reports as error_type. */
export class HttpRequestNodeError extends Error {
  override readonly name = 'HttpRequestNodeError';

  constructor(
    readonly errorType: 'InvalidURLError' | 'InvalidHttpMethodError' | 'AuthorizationConfigError' | 'RequestBodyError' | 'FileFetchError',
    message: string,
  ) {
    super(message);
  }
}

/** A file a request body refers to, already read. */
export interface ResolvedFile {
  data: Buffer;
  /** The part's, or the binary body's, Content-Type; application/octet-stream when missing or malformed. */
  contentType?: string;
  /** The form-data part's filename. */
  name: string;
}

/** How buildHttpRequest encodes what the node data does not fix. */
export interface BuildHttpRequestOptions {
  /** The multipart boundary; random unless given (tests fix it). */
  boundary?: string;
  /** The files the body refers to, keyed by `fileSelectorKey(selector)`; see `bodyFileSelectors`. */
  files?: ReadonlyMap<string, readonly ResolvedFile[]>;
}

/** A file selector the body refers to; `single` for the binary body, which takes exactly one file. */
export interface BodyFileSelector {
  key: string;
  selector: string[];
  single: boolean;
}

const DEFAULT_FILE_CONTENT_TYPE = 'application/octet-stream';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

const BODY_CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  'raw-text': 'text/plain',
  'x-www-form-urlencoded': 'application/x-www-form-urlencoded',
};

/**
 * Renders and encodes an http-request node's request the way Dify's executor does: params appended to
 * the URL's query, headers parsed after rendering, the auth header overriding a user header of the same
 * name, and a default Content-Type per body type unless the user set one (form-data always gets its own,
 * since it must carry the boundary). Files are not read here: the caller resolves the selectors that
 * `bodyFileSelectors` lists and passes them as `options.files`. A form-data file item whose selector has
 * no entry is left out, as Dify leaves out a variable that holds no file; a binary body without its file
 * fails with FileFetchError.
 */
export function buildHttpRequest(
  data: HttpRequestNodeData,
  render: (template: string) => string,
  options: BuildHttpRequestOptions = {},
): BuiltHttpRequest {
  const method = String(data.method ?? '').toUpperCase();
  if (!METHODS.has(method)) throw new HttpRequestNodeError('InvalidHttpMethodError', `Invalid http method ${data.method}`);

  const url = buildUrl(render(data.url ?? ''), parseParams(data.params ?? '', render));
  const headers = parseHeaderString(render(data.headers ?? ''));
  applyAuthorization(headers, data.authorization, render);

  const { body, bodyLog, contentType } = buildBody(data.body ?? undefined, render, options);
  if (contentType !== undefined) {
    const userType = findHeader(headers, 'content-type');
    if (data.body?.type === 'form-data' || userType === undefined) {
      deleteHeader(headers, 'content-type');
      headers['Content-Type'] = contentType;
    }
  }

  const timeout: BuiltHttpRequest['timeout'] = {};
  for (const key of ['connect', 'read', 'write'] as const) {
    const value = data.timeout?.[key];
    if (typeof value === 'number' && value > 0) timeout[key] = value;
  }
  return {
    method,
    url,
    headers,
    body,
    ...(bodyLog === undefined ? {} : { bodyLog }),
    contentType: findHeader(headers, 'content-type'),
    timeout,
    sslVerify: data.ssl_verify ?? undefined,
    ...(data.authorization?.type === 'api-key' ? { credentialHeader: data.authorization.config?.header || 'Authorization' } : {}),
  };
}

export interface ExecuteHttpRequestOptions {
  guard: SsrfGuard;
  maxResponseBytes: number;
  /** Upper bound and default for each of the node's connect/read timeouts (HTTP_REQUEST_MAX_*_TIMEOUT). */
  maxTimeoutSeconds: number;
  signal?: AbortSignal;
}

/**
 * Sends a built request through the SSRF guard and shapes Dify's outputs. Non-2xx statuses are returned,
 * not thrown, as in Dify (the engine's error strategy decides). Every body is returned as text: turning
 * file responses into `files` needs the file store and is left for later.
 */
export async function executeHttpRequest(built: BuiltHttpRequest, options: ExecuteHttpRequestOptions): Promise<HttpRequestNodeOutputs> {
  const cap = (value: number | undefined): number => Math.min(value ?? options.maxTimeoutSeconds, options.maxTimeoutSeconds);
  const connect = cap(built.timeout.connect);
  const read = cap(built.timeout.read);
  const response = await guardedFetch(built.url, {
    method: built.method,
    headers: built.headers,
    body: built.body,
    guard: options.guard,
    connectTimeoutMs: connect * 1000,
    timeoutMs: (connect + read) * 1000,
    maxResponseBytes: options.maxResponseBytes,
    signal: options.signal,
    rejectUnauthorized: built.sslVerify ?? true,
    ...(built.credentialHeader ? { credentialHeaders: [built.credentialHeader] } : {}),
  });
  return {
    status_code: response.status,
    body: decodeBody(response.body, response.headers['content-type']),
    headers: response.headers,
    files: [],
  };
}

/** The key under which `BuildHttpRequestOptions.files` holds a selector's files. */
export function fileSelectorKey(selector: readonly string[]): string {
  return selector.join('.');
}

/**
 * The file selectors a body refers to: the form-data items of type file, or the one item of a binary
 * body. Items without a usable selector are not listed (buildHttpRequest reports a binary one).
 */
export function bodyFileSelectors(body: HttpRequestNodeData['body'] | undefined): BodyFileSelector[] {
  if (!body || (body.type !== 'form-data' && body.type !== 'binary')) return [];
  const items = normaliseItems(body.data);
  if (body.type === 'binary') {
    const selector = items.length === 1 ? asFileSelector(items[0].file) : undefined;
    return selector ? [{ key: fileSelectorKey(selector), selector, single: true }] : [];
  }
  const found: BodyFileSelector[] = [];
  for (const item of items) {
    const selector = item.type === 'file' ? asFileSelector(item.file) : undefined;
    if (selector) found.push({ key: fileSelectorKey(selector), selector, single: false });
  }
  return found;
}

function asFileSelector(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((part): part is string => typeof part === 'string' && part !== '') ? value : undefined;
}

/** Parses `key:value` lines; a line without a colon is a key with an empty value, later keys win. */
export function parseHeaderString(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n|\r/)) {
    if (!line.trim()) continue;
    const [key, value] = splitFirstColon(line);
    if (key) headers[key] = value;
  }
  return headers;
}

function parseParams(text: string, render: (template: string) => string): [string, string][] {
  // Each key and value is rendered on its own, after splitting, so a rendered value may hold ":" or newlines.
  const params: [string, string][] = [];
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    if (!line) continue;
    const [key, value] = splitFirstColon(line);
    if (!key) continue;
    params.push([render(key), render(value)]);
  }
  return params;
}

function splitFirstColon(line: string): [string, string] {
  const at = line.indexOf(':');
  if (at < 0) return [line.trim(), ''];
  return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
}

function buildUrl(rendered: string, params: [string, string][]): string {
  if (!rendered) throw new HttpRequestNodeError('InvalidURLError', 'url is required');
  if (!/^https?:\/\//.test(rendered)) throw new HttpRequestNodeError('InvalidURLError', 'url should start with http:// or https://');
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw new HttpRequestNodeError('InvalidURLError', `Invalid URL: ${rendered}`);
  }
  // Appended, not replacing, so a query already in the URL template survives (httpx merges the same way).
  for (const [key, value] of params) url.searchParams.append(key, value);
  return url.href;
}

function applyAuthorization(
  headers: Record<string, string>,
  authorization: HttpRequestNodeData['authorization'],
  render: (template: string) => string,
): void {
  if (authorization?.type !== 'api-key') return;
  const config = authorization.config;
  if (!config) throw new HttpRequestNodeError('AuthorizationConfigError', 'authorization config is required');
  const apiKey = render(config.api_key ?? '');
  if (!apiKey.trim()) {
    throw new HttpRequestNodeError(
      'AuthorizationConfigError',
      'API key is required for authorization but was empty. Please provide a valid API key.',
    );
  }
  const name = config.header || 'Authorization';
  let value: string;
  switch (config.type) {
    case 'bearer':
      value = `Bearer ${apiKey}`;
      break;
    case 'basic':
      // Dify encodes "user:password" and takes anything without a colon as already base64-encoded.
      value = `Basic ${apiKey.includes(':') ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey}`;
      break;
    case 'custom':
      value = apiKey;
      break;
    default:
      return;
  }
  deleteHeader(headers, name);
  headers[name] = value;
}

function buildBody(
  body: HttpRequestNodeData['body'] | undefined,
  render: (template: string) => string,
  options: BuildHttpRequestOptions,
): { body: Buffer | undefined; bodyLog?: string; contentType: string | undefined } {
  if (!body || body.type === 'none') return { body: undefined, contentType: undefined };
  const items = normaliseItems(body.data);
  switch (body.type) {
    case 'raw-text': {
      const item = single(items, 'raw-text');
      return { body: Buffer.from(render(item.value ?? ''), 'utf8'), contentType: BODY_CONTENT_TYPES['raw-text'] };
    }
    case 'json': {
      const text = render(single(items, 'json').value ?? '');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new HttpRequestNodeError('RequestBodyError', `Failed to parse JSON: ${text}`);
      }
      return { body: Buffer.from(JSON.stringify(parsed), 'utf8'), contentType: BODY_CONTENT_TYPES.json };
    }
    case 'x-www-form-urlencoded': {
      const fields = new Map<string, string>();
      for (const item of items) fields.set(render(item.key ?? ''), render(item.value ?? ''));
      return {
        body: Buffer.from(new URLSearchParams([...fields]).toString(), 'utf8'),
        contentType: BODY_CONTENT_TYPES['x-www-form-urlencoded'],
      };
    }
    case 'form-data': {
      const fields = new Map<string, string>();
      // Keyed by the rendered name like the text fields, so a later item of the same name replaces an earlier one (Dify keeps dicts).
      const fileFields = new Map<string, string[]>();
      for (const item of items) {
        if (item.type === 'text') fields.set(render(item.key ?? ''), render(item.value ?? ''));
        else if (item.type === 'file') {
          const selector = asFileSelector(item.file);
          if (selector) fileFields.set(render(item.key ?? ''), selector);
        }
      }
      const parts: [string, ResolvedFile][] = [];
      for (const [name, selector] of fileFields) {
        for (const file of options.files?.get(fileSelectorKey(selector)) ?? []) parts.push([name, file]);
      }
      const mark = options.boundary ?? `----WeftFormBoundary${randomBytes(12).toString('hex')}`;
      const encoded = encodeMultipart(fields, parts, mark);
      return {
        body: encoded.body,
        ...(parts.length > 0 ? { bodyLog: encoded.log } : {}),
        contentType: `multipart/form-data; boundary=${mark}`,
      };
    }
    case 'binary': {
      const selector = asFileSelector(single(items, 'binary').file);
      if (!selector) throw new HttpRequestNodeError('FileFetchError', 'The binary body names no file variable');
      const key = fileSelectorKey(selector);
      const files = options.files?.get(key);
      if (!files) throw new HttpRequestNodeError('FileFetchError', `cannot fetch file with selector ${key}`);
      if (files.length !== 1)
        throw new HttpRequestNodeError('FileFetchError', `The binary body takes one file, but ${key} holds ${files.length}`);
      const [file] = files;
      return { body: file.data, bodyLog: `<binary_content: size=${file.data.length} bytes>`, contentType: fileContentType(file) };
    }
    default:
      throw new HttpRequestNodeError('RequestBodyError', `Unknown body type ${String((body as { type: unknown }).type)}`);
  }
}

function normaliseItems(data: HttpRequestBodyItem[] | string | null | undefined): HttpRequestBodyItem[] {
  if (!data) return [];
  if (typeof data === 'string') return [{ key: '', type: 'text', value: data }];
  return data;
}

function single(items: HttpRequestBodyItem[], type: string): HttpRequestBodyItem {
  if (items.length !== 1) throw new HttpRequestNodeError('RequestBodyError', `${type} body type should have exactly one item`);
  return items[0];
}

/**
 * Text fields first, then files, in the order httpx writes Dify's `data` and `files`. Returns the bytes
 * and a log copy in which each file's content is a size note.
 */
function encodeMultipart(fields: Map<string, string>, files: [string, ResolvedFile][], boundary: string): { body: Buffer; log: string } {
  // Names and filenames are escaped as the HTML form-data algorithm does, so a quote or newline cannot end the header.
  const escape = (name: string): string => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const chunks: Buffer[] = [];
  let log = '';
  const write = (text: string): void => {
    chunks.push(Buffer.from(text, 'utf8'));
    log += text;
  };
  for (const [name, value] of fields) {
    write(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"\r\n\r\n${value}\r\n`);
  }
  for (const [name, file] of files) {
    const type = fileContentType(file);
    write(
      `--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"; filename="${escape(file.name)}"\r\nContent-Type: ${type}\r\n\r\n`,
    );
    chunks.push(file.data);
    log += `<file_content_binary: '${file.name}', type='${type}', size=${file.data.length} bytes>`;
    write('\r\n');
  }
  write(`--${boundary}--\r\n`);
  return { body: Buffer.concat(chunks), log };
}

/** The file's mime type when it is one printable line, else application/octet-stream; it goes into a header. */
function fileContentType(file: ResolvedFile): string {
  const type = file.contentType?.trim();
  return type && /^[\x21-\x7e][\x20-\x7e]*$/.test(type) ? type : DEFAULT_FILE_CONTENT_TYPE;
}

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

function deleteHeader(headers: Record<string, string>, name: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
}

function decodeBody(body: Buffer, contentType: string | undefined): string {
  const charset = /charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
