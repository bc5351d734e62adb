import { randomBytes } from 'node:crypto';
import type { GuardedResponse } from '@weft/outbound-http';
import type { ApiToolBundle } from '@weft/workflow';
import { json, text, ToolInvokeError, ToolRuntimeError, type ToolMessage } from '../tool-runtime.types';

// A custom OpenAPI tool's call, built the way Dify's ApiTool builds it (core/tools/custom_tool/tool.py):
// the auth header (or query parameter) from the provider's credentials, each declared parameter placed in
// the path, query, headers or cookies, the request body's properties typed from its schema and encoded
// for its first content type. Values a model wrote never become part of the URL's structure: path values
// are percent-encoded, and line breaks in header values are refused.

/** The HTTP request one tool call sends. */
export interface ApiToolRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The header carrying the API key, dropped if a redirect leaves the origin. */
  credentialHeaders: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const SENDABLE_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'patch']);
const MAX_ANY_OF_DEPTH = 10;

/** A value as it goes into a URL, header or form field: booleans as `true`/`false`, objects as JSON. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function integerOf(value: unknown): unknown {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  throw new RangeError('not an integer');
}

function numberOf(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new RangeError('not a number');
  return parsed;
}

function booleanOf(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'y'].includes(word)) return true;
    if (['false', '0', 'no', 'n', ''].includes(word)) return false;
  }
  return Boolean(value);
}

/** Dify's `_convert_body_property_any_of`: the first option the value converts to. */
function anyOfValue(value: unknown, options: unknown[], depth: number): unknown {
  if (depth > MAX_ANY_OF_DEPTH) throw new ToolInvokeError('Max recursion depth reached');
  for (const option of options) {
    if (!isObject(option)) continue;
    try {
      switch (option.type) {
        case 'integer':
        case 'int':
          return integerOf(value);
        case 'number':
          return numberOf(value);
        case 'string':
          return textOf(value);
        case 'boolean': {
          const word = String(value).toLowerCase();
          if (word === 'true' || word === '1') return true;
          if (word === 'false' || word === '0') return false;
          continue;
        }
        case 'null':
          if (!value) return null;
          continue;
        default:
          if (option.type === undefined && Array.isArray(option.anyOf)) return anyOfValue(value, option.anyOf, depth + 1);
      }
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  return value;
}

/**
 * A body property's value in its schema's type (Dify's `_convert_body_property_type`); a value that does
 * not convert is sent as given. Booleans given as text read "false"/"0" as false, where Python's `bool()`
 * would read every non-empty text as true.
 */
export function bodyPropertyValue(property: Json, value: unknown): unknown {
  try {
    switch (property.type) {
      case 'integer':
      case 'int':
        return integerOf(value);
      case 'number':
        return numberOf(value);
      case 'string':
        return textOf(value);
      case 'boolean':
        return booleanOf(value);
      case 'null':
        return null;
      case 'object':
      case 'array':
        if (typeof value !== 'string') return value;
        try {
          return JSON.parse(value) as unknown;
        } catch {
          return value;
        }
      default:
        if (property.type === undefined && Array.isArray(property.anyOf)) return anyOfValue(value, property.anyOf, 0);
        return value;
    }
  } catch (error) {
    if (error instanceof RangeError) return value;
    throw error;
  }
}

const given = (parameters: Record<string, unknown>, name: string): boolean =>
  Object.hasOwn(parameters, name) && parameters[name] !== undefined;

function headerValue(name: string, value: string): string {
  if (/[\r\n\0]/.test(value))
    throw new ToolInvokeError(`The value of header ${name} contains a line break, which HTTP headers cannot carry`);
  return value;
}

/** A path parameter's value, percent-encoded; `.` and `..` would climb out of the operation's path. */
function pathSegment(name: string, value: string): string {
  if (value === '.' || value === '..') throw new ToolInvokeError(`Path parameter ${name} cannot be "${value}"`);
  return encodeURIComponent(value);
}

/** The auth header (or query parameter) the provider's credentials ask for (Dify's `assembling_request`). */
function authenticate(credentials: Record<string, string>, headers: Record<string, string>, query: [string, string][]): string[] {
  const authType = credentials.auth_type;
  if (authType === undefined) throw new ToolRuntimeError('Missing auth_type', 'ToolProviderCredentialValidationError');
  if (authType === 'api_key' || authType === 'api_key_header') {
    const header = credentials.api_key_header?.trim() || 'Authorization';
    const key = credentials.api_key_value;
    if (key === undefined) throw new ToolRuntimeError('Missing api_key_value', 'ToolProviderCredentialValidationError');
    const prefix = credentials.api_key_header_prefix;
    const value = key && prefix === 'basic' ? `Basic ${key}` : key && prefix === 'bearer' ? `Bearer ${key}` : key;
    headers[header] = headerValue(header, value);
    return [header];
  }
  if (authType === 'api_key_query' && credentials.api_key_value) {
    query.push([credentials.api_key_query_param?.trim() || 'key', credentials.api_key_value]);
  }
  return [];
}

function multipartBody(fields: Json): { body: string; contentType: string } {
  const boundary = `----weft${randomBytes(12).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '_')}"\r\n\r\n${textOf(value)}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

function formBody(fields: Json): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) form.append(name, textOf(value));
  return form.toString();
}

/**
 * The request a call of `bundle` with `parameters` sends, with the provider's `credentials`. Throws
 * ToolInvokeError for a required parameter that is missing or a value HTTP cannot carry.
 */
export function buildApiToolRequest(
  bundle: ApiToolBundle,
  parameters: Record<string, unknown>,
  credentials: Record<string, string>,
): ApiToolRequest {
  if (!SENDABLE_METHODS.has(bundle.method)) throw new ToolInvokeError(`Invalid http method ${bundle.method}`);
  const headers: Record<string, string> = {};
  const query: [string, string][] = [];
  const credentialHeaders = authenticate(credentials, headers, query);

  const values: Record<string, unknown> = { ...parameters };
  for (const spec of bundle.parameters) {
    if (!spec.required || given(values, spec.name)) continue;
    if (spec.default === undefined) throw new ToolInvokeError(`Missing required parameter ${spec.name}`);
    values[spec.name] = spec.default;
  }

  const pathValues: Record<string, string> = {};
  const cookies: string[] = [];
  for (const parameter of bundle.openapi.parameters) {
    let value: unknown;
    if (given(values, parameter.name)) value = values[parameter.name];
    else if (parameter.required) throw new ToolInvokeError(`Missing required parameter ${parameter.name}`);
    else value = parameter.schema?.default ?? '';
    if (parameter.in === 'path') pathValues[parameter.name] = pathSegment(parameter.name, textOf(value));
    else if (value === '' || value === null || value === undefined) continue;
    else if (parameter.in === 'query') {
      for (const item of Array.isArray(value) ? value : [value]) query.push([parameter.name, textOf(item)]);
    } else if (parameter.in === 'header') headers[parameter.name] = headerValue(parameter.name, textOf(value));
    else cookies.push(`${parameter.name}=${encodeURIComponent(textOf(value))}`);
  }
  if (cookies.length > 0) headers.Cookie = cookies.join('; ');

  let body: string | undefined;
  const [contentType, media] = Object.entries(bundle.openapi.requestBody?.content ?? {})[0] ?? [];
  if (contentType !== undefined) {
    const schema = isObject(media?.schema) ? media.schema : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    const fields: Json = {};
    for (const [name, raw] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
      const property = isObject(raw) ? raw : {};
      const items = isObject(property.items) ? property.items : {};
      if (given(values, name)) {
        if (property.format === 'binary' || (property.type === 'array' && items.format === 'binary')) {
          throw new ToolInvokeError(`Parameter ${name} is a file upload, which Weft's custom API tools do not send yet`);
        }
        fields[name] = '$ref' in property ? values[name] : bodyPropertyValue(property, values[name]);
      } else if (required.includes(name)) {
        throw new ToolInvokeError(`Missing required parameter ${name} in operation ${bundle.operation_id}`);
      } else if ('default' in property) {
        fields[name] = property.default;
      }
    }
    const mime = contentType.split(';')[0].trim().toLowerCase();
    if (mime === 'application/json' || mime.endsWith('+json')) {
      headers['Content-Type'] = contentType;
      body = JSON.stringify(fields);
    } else if (mime === 'multipart/form-data') {
      const multipart = multipartBody(fields);
      headers['Content-Type'] = multipart.contentType;
      body = multipart.body;
    } else {
      // Dify hands every other content type's fields to httpx as form data, under the declared type.
      headers['Content-Type'] = contentType;
      body = formBody(fields);
    }
  }

  const filled = bundle.server_url.replace(/\{([^{}]+)\}/g, (whole, name: string) =>
    Object.hasOwn(pathValues, name) ? pathValues[name] : whole,
  );
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new ToolInvokeError(`Invalid URL ${filled}`);
  }
  for (const [name, value] of query) url.searchParams.append(name, value);
  return { body, credentialHeaders, headers, method: bundle.method.toUpperCase(), url: url.toString() };
}

const MAX_ERROR_TEXT = 4000;

/**
 * What a tool call answers, from the API's response (Dify's ApiTool): an error for status 400 and up; a
 * JSON object as a JSON message followed by the raw text (when the response says it is JSON); any other
 * body as text.
 */
export function apiToolMessages(response: GuardedResponse): ToolMessage[] {
  const body = response.body.toString('utf8');
  if (response.status >= 400) {
    const shown = body.length > MAX_ERROR_TEXT ? `${body.slice(0, MAX_ERROR_TEXT)}…` : body;
    throw new ToolInvokeError(`Request failed with status code ${response.status} and ${shown}`);
  }
  const contentType = (response.headers['content-type'] ?? '').toLowerCase();
  const disposition = (response.headers['content-disposition'] ?? '').split(';')[0].trim().toLowerCase();
  if (disposition === 'attachment') {
    throw new ToolInvokeError(
      `The API answered a file (${contentType.split(';')[0] || 'application/octet-stream'}, ${response.body.length} bytes); Weft's custom API tools do not return files yet`,
    );
  }
  if (response.body.length === 0) return [text('Empty response from the tool, please check your parameters and try again.')];
  if (contentType.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [text(body)];
    }
    return isObject(parsed) ? [json(parsed), text(body)] : [text(body)];
  }
  return [text(body)];
}
