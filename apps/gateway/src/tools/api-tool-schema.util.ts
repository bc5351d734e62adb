import {
  API_TOOL_METHODS,
  API_TOOL_PARAMETER_LOCATIONS,
  type ApiToolBundle,
  type ApiToolMethod,
  type ApiToolOperation,
  type ToolParameterType,
} from '@weft/workflow';
import { parseDocument } from 'yaml';

// Custom tool schemas are untrusted text from the console. Each limit below stops one way of making the
// gateway (or the node runners the result is handed to over the bus) spend unbounded memory or time.

/** The largest schema text accepted, in UTF-8 bytes. */
export const MAX_API_SCHEMA_BYTES = 512 * 1024;
/** How deeply the loaded document may nest objects and arrays. */
export const MAX_API_SCHEMA_DEPTH = 64;
/** How many values resolving `$ref`s may produce in all: references to references grow exponentially. */
export const MAX_API_SCHEMA_EXPANDED_VALUES = 100_000;
/** How many `$ref`s are followed one inside another before the rest is left as a reference. */
export const MAX_API_SCHEMA_REF_DEPTH = 16;
// yaml weighs each alias by the size of what it expands to, so this stops "billion laughs" documents early.
const MAX_YAML_ALIAS_COUNT = 100;

/** The schema cannot become tools; the message says why (it is shown to whoever pasted the schema). */
export class ApiSchemaError extends Error {
  override readonly name = 'ApiSchemaError';
}

/** What a schema turned into: Dify's schema type, the provider's description, one bundle per operation, and warnings. */
export interface ParsedApiSchema {
  bundles: ApiToolBundle[];
  description: string;
  schemaType: 'openapi' | 'swagger';
  /** Dify's `warning` object: not fatal, but worth showing (`duplicated_parameter`, ...). */
  warnings: Record<string, string>;
}

type Json = Record<string, unknown>;
type ApiToolParameter = ApiToolBundle['parameters'][number];

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** The deepest nesting of objects and arrays, stopping as soon as it passes `limit` (iterative: no stack to overflow). */
function nestingBeyond(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The schema text as plain values: JSON first, then YAML (as Dify tries them). */
function load(content: string): unknown {
  let jsonError: string;
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    jsonError = (error as Error).message;
  }
  let yamlError: string;
  try {
    const doc = parseDocument(content, { uniqueKeys: false });
    if (doc.errors.length === 0) {
      const value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as unknown;
      if (value !== null && value !== undefined) return value;
      yamlError = 'the document is empty';
    } else {
      yamlError = doc.errors[0].message.split('\n')[0];
    }
  } catch (error) {
    const reason = (error as Error).message;
    yamlError = /alias/i.test(reason) ? `the YAML expands more than ${MAX_YAML_ALIAS_COUNT} aliases` : reason;
  }
  throw new ApiSchemaError(`Invalid api schema, schema is neither json nor yaml. json error: ${jsonError}, yaml error: ${yamlError}`);
}

/**
 * Resolves the document's own `$ref`s (`#/components/...`, `#/definitions/...`) by copying what they point
 * at. A reference to anything outside the document (a URL, another file) is refused: the gateway never
 * fetches one. A reference that loops back into itself, or nests deeper than MAX_API_SCHEMA_REF_DEPTH, is
 * left as a `$ref` (the call then passes that value through as given, as Dify does).
 */
class RefResolver {
  private produced = 0;

  constructor(private readonly root: Json) {}

  /** `value` with every local `$ref` inside it replaced by a copy of its target. */
  inline(value: unknown, trail: readonly string[] = []): unknown {
    if (++this.produced > MAX_API_SCHEMA_EXPANDED_VALUES) {
      throw new ApiSchemaError(
        `The schema grows beyond ${MAX_API_SCHEMA_EXPANDED_VALUES} values once its $ref are resolved; simplify it or split it into several providers`,
      );
    }
    if (Array.isArray(value)) return value.map((item) => this.inline(item, trail));
    if (!isObject(value)) return value;
    const ref = value.$ref;
    if (typeof ref === 'string') {
      const siblings = Object.fromEntries(Object.entries(value).filter(([key]) => key !== '$ref'));
      if (trail.includes(ref) || trail.length >= MAX_API_SCHEMA_REF_DEPTH) return { ...this.copy(siblings, trail), $ref: ref };
      const target = this.inline(this.target(ref), [...trail, ref]);
      return isObject(target) ? { ...target, ...this.copy(siblings, trail) } : target;
    }
    return this.copy(value, trail);
  }

  private copy(value: Json, trail: readonly string[]): Json {
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) out[key] = this.inline(child, trail);
    return out;
  }

  /** The value a local reference points at (a JSON pointer after `#`). */
  target(ref: string): unknown {
    if (!ref.startsWith('#')) {
      throw new ApiSchemaError(
        `$ref "${ref.slice(0, 200)}" points outside the schema; Weft never fetches remote or file references, so put what it names into the schema itself`,
      );
    }
    let node: unknown = this.root;
    const pointer = ref.slice(1);
    if (pointer === '') return node;
    if (!pointer.startsWith('/')) throw new ApiSchemaError(`$ref "${ref.slice(0, 200)}" is not a JSON pointer into the schema`);
    for (const raw of pointer.slice(1).split('/')) {
      let part: string;
      try {
        part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      } catch {
        part = raw;
      }
      node = Array.isArray(node) ? node[Number(part)] : isObject(node) && Object.hasOwn(node, part) ? node[part] : undefined;
      if (node === undefined) throw new ApiSchemaError(`$ref "${ref.slice(0, 200)}" points at nothing in the schema`);
    }
    return node;
  }
}

/** `allOf` parts merged into one schema (properties, required), as Dify does for body properties. */
function mergeAllOf(schema: Json, depth = 0): Json {
  if (!Array.isArray(schema.allOf) || depth > MAX_API_SCHEMA_REF_DEPTH) return schema;
  const merged: Json = Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'allOf'));
  for (const part of schema.allOf) {
    if (!isObject(part)) continue;
    const flat = mergeAllOf(part, depth + 1);
    for (const [key, value] of Object.entries(flat)) {
      if (key === 'properties' && isObject(value))
        merged.properties = { ...(isObject(merged.properties) ? merged.properties : {}), ...value };
      else if (key === 'required' && Array.isArray(value))
        merged.required = [...new Set([...(Array.isArray(merged.required) ? merged.required : []), ...value])];
      else if (!(key in merged)) merged[key] = value;
    }
  }
  return merged;
}

/** A parameter's or property's type in Dify's terms (`_get_tool_parameter_type`), or undefined to keep `string`. */
export function apiParameterType(node: Json): ToolParameterType | undefined {
  const schema = isObject(node.schema) ? node.schema : {};
  if (node.format === 'binary' || schema.format === 'binary') return 'file';
  let type = text(node.type) ?? text(schema.type);
  if (type === undefined) {
    // oneOf/anyOf: the first type that is not null, on the node itself or its schema.
    for (const union of [node.oneOf, node.anyOf, schema.oneOf, schema.anyOf]) {
      const found = Array.isArray(union) ? union.find((option) => isObject(option) && option.type && option.type !== 'null') : undefined;
      if (isObject(found)) {
        type = text(found.type);
        break;
      }
    }
  }
  switch (type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'array': {
      const items = isObject(node.items) ? node.items : isObject(schema.items) ? schema.items : {};
      return items.format === 'binary' ? 'files' : 'array';
    }
    case 'object':
      return 'object';
    default:
      return undefined;
  }
}

/** A default a tool parameter can carry: lists and objects are dropped, as Dify's `_sanitize_default_value` does. */
function sanitizedDefault(value: unknown): string | number | boolean | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function enumOptions(node: Json): string[] | undefined {
  const values = Array.isArray(node.enum) ? node.enum : isObject(node.schema) && Array.isArray(node.schema.enum) ? node.schema.enum : [];
  const options = values.filter((value): value is string => typeof value === 'string');
  return options.length > 0 ? options : undefined;
}

function parameterSpec(name: string, node: Json, required: boolean, defaultValue: unknown): ApiToolParameter {
  const options = enumOptions(node);
  const fallback = sanitizedDefault(defaultValue);
  return {
    ...(fallback !== undefined ? { default: fallback } : {}),
    description: text(node.description) ?? '',
    form: 'llm',
    name,
    ...(options ? { options } : {}),
    required,
    type: apiParameterType(node) ?? 'string',
  };
}

/** Dify's tool name for an operation without `operationId`: the path's name characters, then the method. */
export function fallbackOperationId(path: string, method: string): string {
  const name = path.replace(/^\//, '').replace(/[^a-zA-Z0-9_-]/g, '');
  return `${name || '<root>'}_${method}`;
}

/** `servers[0].url` with its variables set to their defaults; it must be an absolute http(s) URL. */
function serverUrl(servers: unknown): string {
  const first = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(first) || typeof first.url !== 'string' || first.url.trim() === '') {
    throw new ApiSchemaError('No server found in the openapi yaml.');
  }
  const variables = isObject(first.variables) ? first.variables : {};
  const url = first.url.trim().replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isObject(variable) && (typeof variable.default === 'string' || typeof variable.default === 'number')
      ? String(variable.default)
      : whole;
  });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApiSchemaError(`servers[0].url must be an absolute http or https URL, not "${url.slice(0, 200)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ApiSchemaError(`servers[0].url must be an http or https URL, not "${url.slice(0, 200)}"`);
  }
  return url.replace(/\/+$/, '');
}

/** An operation in OpenAPI 3 terms, its references resolved: what a bundle is built from. */
interface NormalizedOperation {
  operation: Json;
  parameters: Json[];
  requestBody?: Json;
}

function resolvedList(value: unknown, resolver: RefResolver): Json[] {
  return (Array.isArray(value) ? value : []).map((item) => resolver.inline(item)).filter(isObject);
}

/** Path-item parameters apply to each operation unless the operation names the same one (name and place). */
function mergedParameters(pathLevel: Json[], operationLevel: Json[]): Json[] {
  const key = (p: Json) => `${String(p.in)}:${String(p.name)}`;
  const own = new Set(operationLevel.map(key));
  return [...pathLevel.filter((p) => !own.has(key(p))), ...operationLevel];
}

/** The request body reduced to its first content type: the one a call sends (Dify's ApiTool takes the first). */
function firstContent(requestBody: unknown): Json | undefined {
  if (!isObject(requestBody) || !isObject(requestBody.content)) return undefined;
  const [contentType, media] = Object.entries(requestBody.content)[0] ?? [];
  if (contentType === undefined) return undefined;
  const schema = isObject(media) && isObject(media.schema) ? mergeAllOf(media.schema) : undefined;
  const properties = schema && isObject(schema.properties) ? schema.properties : undefined;
  const merged =
    schema && properties
      ? { ...schema, properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, isObject(v) ? mergeAllOf(v) : v])) }
      : schema;
  return { ...requestBody, content: { [contentType]: merged ? { schema: merged } : {} } };
}

function openApiOperation(pathItem: Json, operation: Json, resolver: RefResolver): NormalizedOperation {
  const parameters = mergedParameters(resolvedList(pathItem.parameters, resolver), resolvedList(operation.parameters, resolver));
  const requestBody = firstContent(resolver.inline(operation.requestBody));
  return { operation, parameters, requestBody };
}

/** A Swagger 2 parameter's own schema fields (type, format, items, enum, default) as an OpenAPI 3 `schema`. */
function swaggerParameterSchema(parameter: Json): Json {
  const schema: Json = {};
  for (const key of ['type', 'format', 'items', 'enum', 'default']) if (key in parameter) schema[key] = parameter[key];
  return schema;
}

function swaggerOperation(doc: Json, pathItem: Json, operation: Json, resolver: RefResolver): NormalizedOperation {
  const all = mergedParameters(resolvedList(pathItem.parameters, resolver), resolvedList(operation.parameters, resolver));
  const parameters: Json[] = [];
  const form: Json[] = [];
  let body: Json | undefined;
  for (const parameter of all) {
    if (parameter.in === 'body') body = parameter;
    else if (parameter.in === 'formData') form.push(parameter);
    else parameters.push({ ...parameter, schema: isObject(parameter.schema) ? parameter.schema : swaggerParameterSchema(parameter) });
  }
  const consumes = [operation.consumes, doc.consumes].find((list) => Array.isArray(list) && list.length > 0) as unknown[] | undefined;
  let requestBody: Json | undefined;
  if (body) {
    const contentType = typeof consumes?.[0] === 'string' ? consumes[0] : 'application/json';
    requestBody = firstContent({
      content: { [contentType]: { schema: isObject(body.schema) ? body.schema : {} } },
      required: body.required === true,
    });
  } else if (form.length > 0) {
    const multipart = form.some((p) => p.type === 'file') || consumes?.includes('multipart/form-data');
    const properties = Object.fromEntries(
      form.map((p) => [
        String(p.name),
        p.type === 'file'
          ? { ...swaggerParameterSchema(p), format: 'binary', type: 'string' }
          : { ...swaggerParameterSchema(p), ...(p.description ? { description: p.description } : {}) },
      ]),
    );
    const required = form.filter((p) => p.required === true).map((p) => String(p.name));
    requestBody = {
      content: {
        [multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded']: { schema: { properties, required, type: 'object' } },
      },
    };
  }
  return { operation, parameters, requestBody };
}

/** The Swagger 2 document's server: Dify's `servers` if it has them, else `schemes[0]://host basePath`. */
function swaggerServerUrl(doc: Json): string {
  if (Array.isArray(doc.servers) && doc.servers.length > 0) return serverUrl(doc.servers);
  if (typeof doc.host !== 'string' || doc.host === '') throw new ApiSchemaError('No server found in the swagger yaml.');
  const scheme = Array.isArray(doc.schemes) && typeof doc.schemes[0] === 'string' ? doc.schemes[0] : 'https';
  return serverUrl([{ url: `${scheme}://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}` }]);
}

function bundleOf(
  path: string,
  method: ApiToolMethod,
  server: string,
  normalized: NormalizedOperation,
  warnings: Record<string, string>,
): ApiToolBundle {
  const { operation, parameters, requestBody } = normalized;
  const specs: ApiToolParameter[] = [];
  const stored: ApiToolOperation['parameters'] = [];
  for (const parameter of parameters) {
    if (typeof parameter.name !== 'string' || parameter.name === '') {
      throw new ApiSchemaError(`A parameter of ${method.toUpperCase()} ${path} has no name`);
    }
    const location = API_TOOL_PARAMETER_LOCATIONS.find((place) => place === parameter.in);
    if (!location) {
      warnings.unsupported_parameter = `Parameter ${parameter.name} of ${method.toUpperCase()} ${path} is in "${String(parameter.in)}", which OpenAPI 3 does not have; it is left out.`;
      continue;
    }
    const schema = isObject(parameter.schema) ? parameter.schema : {};
    specs.push(parameterSpec(parameter.name, parameter, parameter.required === true, schema.default));
    stored.push({ ...parameter, in: location, name: parameter.name });
  }
  const media = requestBody && isObject(requestBody.content) ? Object.values(requestBody.content)[0] : undefined;
  const bodySchema = isObject(media) && isObject(media.schema) ? media.schema : undefined;
  if (bodySchema && isObject(bodySchema.properties)) {
    const required = Array.isArray(bodySchema.required) ? bodySchema.required : [];
    for (const [name, property] of Object.entries(bodySchema.properties)) {
      const node = isObject(property) ? property : {};
      specs.push(parameterSpec(name, node, required.includes(name), node.default));
    }
  }
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) warnings.duplicated_parameter = `Parameter ${spec.name} is duplicated.`;
    seen.add(spec.name);
  }
  const operationId = text(operation.operationId) ?? fallbackOperationId(path, method);
  const openapi: ApiToolOperation = {
    ...(typeof operation.description === 'string' ? { description: operation.description } : {}),
    operationId,
    parameters: stored,
    ...(requestBody ? { requestBody: requestBody as ApiToolOperation['requestBody'] } : {}),
    ...(typeof operation.summary === 'string' ? { summary: operation.summary } : {}),
  };
  return {
    method,
    openapi,
    operation_id: operationId,
    parameters: specs,
    server_url: `${server}${path}`,
    summary: 'description' in operation ? (text(operation.description) ?? null) : (text(operation.summary) ?? null),
  };
}

/**
 * Turns an OpenAPI 3 document (JSON or YAML; Swagger 2 too) into one tool per operation, by Dify's rules
 * (`ApiBasedToolSchemaParser`): the tool is named by `operationId` (or path and method), its parameters are
 * the operation's path, query, header and cookie parameters and its request body's properties, all filled
 * by the model (`llm`), typed from their schemas. Throws ApiSchemaError with the reason.
 */
export function parseApiSchema(content: string): ParsedApiSchema {
  const size = utf8Bytes(content);
  if (size > MAX_API_SCHEMA_BYTES) {
    throw new ApiSchemaError(
      `The schema is ${size} bytes; the limit is ${MAX_API_SCHEMA_BYTES} bytes (${MAX_API_SCHEMA_BYTES / 1024} KiB)`,
    );
  }
  const trimmed = content.trim();
  if (trimmed === '') throw new ApiSchemaError('The schema is empty');
  const doc = load(trimmed);
  if (!isObject(doc)) throw new ApiSchemaError('Invalid api schema: the document is not an object');
  if (nestingBeyond(doc, MAX_API_SCHEMA_DEPTH)) {
    throw new ApiSchemaError(`The schema nests objects and arrays more than ${MAX_API_SCHEMA_DEPTH} levels deep`);
  }
  if (isObject(doc.api) && !isObject(doc.paths)) {
    throw new ApiSchemaError(
      'This is an OpenAI plugin manifest, which names its schema by URL; Weft does not fetch it. Paste the OpenAPI document it names instead',
    );
  }
  const swagger = typeof doc.swagger === 'string' || typeof doc.swagger === 'number';
  if (!swagger && typeof doc.openapi !== 'string' && !('servers' in doc)) {
    throw new ApiSchemaError('Invalid api schema: neither an OpenAPI 3 document ("openapi": "3.x") nor a Swagger 2 one ("swagger": "2.0")');
  }
  if (!isObject(doc.paths) || Object.keys(doc.paths).length === 0) {
    throw new ApiSchemaError(`No paths found in the ${swagger ? 'swagger' : 'openapi'} yaml.`);
  }
  const server = swagger ? swaggerServerUrl(doc) : serverUrl(doc.servers);
  const resolver = new RefResolver(doc);
  const warnings: Record<string, string> = {};
  const bundles: ApiToolBundle[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    // Only what a call needs is resolved (parameters, request body), not responses and examples.
    const referenced = isObject(rawItem) && typeof rawItem.$ref === 'string' ? resolver.target(rawItem.$ref) : rawItem;
    const pathItem = isObject(referenced) ? referenced : {};
    for (const method of API_TOOL_METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      if (!text(operation.summary) && !text(operation.description)) {
        warnings.missing_summary = `No summary or description found in operation ${method} ${path}.`;
      }
      const normalized = swagger ? swaggerOperation(doc, pathItem, operation, resolver) : openApiOperation(pathItem, operation, resolver);
      bundles.push(bundleOf(path, method, server, normalized, warnings));
    }
  }
  if (bundles.length === 0)
    throw new ApiSchemaError('The schema has no operations (get, post, put, delete, patch, head, options, trace) under its paths');
  const names = new Set<string>();
  for (const bundle of bundles) {
    if (names.has(bundle.operation_id)) {
      warnings.duplicated_operation_id = `Operation id ${bundle.operation_id} is used more than once; tool nodes call the first.`;
    }
    names.add(bundle.operation_id);
  }
  const info = isObject(doc.info) ? doc.info : {};
  return { bundles, description: text(info.description) ?? '', schemaType: swagger ? 'swagger' : 'openapi', warnings };
}
