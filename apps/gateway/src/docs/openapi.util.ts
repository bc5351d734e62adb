import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import {
  ApiBearerAuth,
  ApiBody,
  ApiQuery,
  ApiResponse,
  ApiTags,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { ZodEffects, ZodObject, type ZodTypeAny } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { OperatorTokenGuard } from '../system/operator-token.guard';
import { routeSchemas } from './route-schema.util';

/** Where Swagger UI and the JSON description are served. */
export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/** Where `@ApiResponse` and its kin keep their metadata (@nestjs/swagger's DECORATORS.API_RESPONSE, not exported). */
const SWAGGER_API_RESPONSE = 'swagger/apiResponse';
const CONSOLE_AUTH = 'console-token';
const SERVICE_AUTH = 'api-key';
const OPERATOR_AUTH = 'operator-token';
const DIFY_ERROR = 'DifyError';

/** Errors every operation may answer, in Dify's `{code, message, status}` shape. */
const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Invalid parameters or body (`invalid_param`, `bad_request`)',
  '404': 'Not found, or not visible to the caller (`not_found`)',
  '413': 'Body too large (`request_entity_too_large`)',
  '429': 'Rate limit reached (`too_many_requests`); see `Retry-After`',
  '500': 'Internal error (`internal_error`), with the correlation id',
};
const AUTH_RESPONSES: Record<string, string> = {
  '401': 'Missing, expired or invalid token or API key (`unauthorized`)',
  '403': "The caller's role or key does not allow this (`forbidden`)",
};

/**
 * A zod schema as an OpenAPI 3.0 schema object (inline, no `$ref`s or `$schema`; unknown keys allowed unless the
 * schema is strict, as zod parses).
 */
export function zodToOpenApi(schema: ZodTypeAny): Record<string, unknown> {
  // The cast keeps TypeScript from expanding zod-to-json-schema's generic option types (too deep for tsc).
  const json = (zodToJsonSchema as (schema: unknown, options: unknown) => Record<string, unknown>)(schema, {
    $refStrategy: 'none',
    removeAdditionalStrategy: 'strict',
    target: 'openApi3',
  });
  delete json['$schema'];
  return withOpenApiNulls(json);
}

/**
 * OpenAPI 3.0 has no `null` type, only `nullable: true` beside a `type`: a bare `null` (`z.null()`) becomes
 * a nullable type whose only value is null, a nullable union carries `nullable` into each branch, and a
 * nullable enum lists null among its values, so validators read each as zod does.
 */
export function withOpenApiNulls(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...node };
  for (const key of ['properties', 'patternProperties']) {
    const map = out[key] as Record<string, Record<string, unknown>> | undefined;
    if (map) out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, withOpenApiNulls(v)]));
  }
  for (const key of ['items', 'additionalProperties', 'not']) {
    const value = out[key];
    if (value && typeof value === 'object' && !Array.isArray(value)) out[key] = withOpenApiNulls(value as Record<string, unknown>);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = out[key] as Record<string, unknown>[] | undefined;
    if (list) out[key] = list.map((v) => withOpenApiNulls(out['nullable'] === true && key !== 'allOf' ? { ...v, nullable: true } : v));
  }
  const isNull =
    out['type'] === 'null' ||
    (Array.isArray(out['enum']) && (out['enum'] as unknown[]).every((v) => v === 'null' || v === null) && out['type'] === undefined);
  if (isNull) return { enum: [null], nullable: true, type: 'string' };
  if (out['nullable'] === true) {
    // Without a type there is nothing to make nullable: a union's branches carry it (above), or anything goes.
    if (out['type'] === undefined) delete out['nullable'];
    if (Array.isArray(out['enum']) && !(out['enum'] as unknown[]).includes(null)) out['enum'] = [...(out['enum'] as unknown[]), null];
  }
  return out;
}

/**
 * Decorates every controller method from what it declares (`@ParsedBody`, `@ParsedQuery`, `@Returns`):
 * request body, query parameters and success response from its zod schemas, tags and auth. A route that
 * declares no response is an error, so every route the gateway serves has a typed, documented answer.
 */
function describeControllers(app: INestApplication): void {
  const undeclared: string[] = [];
  const controllers = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) if (wrapper.metatype) controllers.add(wrapper.metatype as Type);
  }
  for (const controller of controllers) {
    const prefixes = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prefix = prefixes[0]!.replace(/^\/+/, '');
    const tag = prefix.startsWith('console/api')
      ? 'Console API'
      : prefix.startsWith('v1') && !prefix.startsWith('v1/system')
        ? 'Service API'
        : 'Operations';
    ApiTags(tag)(controller);
    const classGuards = (Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[] | undefined) ?? [];
    for (const key of Object.getOwnPropertyNames(controller.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, key);
      const handler = descriptor?.value as ((...args: unknown[]) => unknown) | undefined;
      if (key === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [])];
      if (guards.length > 0) {
        const scheme = guards.includes(OperatorTokenGuard) ? OPERATOR_AUTH : tag === 'Console API' ? CONSOLE_AUTH : SERVICE_AUTH;
        ApiBearerAuth(scheme)(controller.prototype, key, descriptor!);
      }
      const schemas = routeSchemas(controller.prototype, key);
      if (schemas.body) ApiBody({ required: true, schema: zodToOpenApi(schemas.body) as never })(controller.prototype, key, descriptor!);
      let query = schemas.query;
      while (query instanceof ZodEffects) query = query.innerType() as ZodTypeAny;
      if (query instanceof ZodObject) {
        for (const [name, field] of Object.entries(query.shape as Record<string, ZodTypeAny>)) {
          ApiQuery({ name, required: !field.isOptional(), schema: zodToOpenApi(field) as never })(controller.prototype, key, descriptor!);
        }
      }
      // Shared controllers (health, metrics) describe their answers with Swagger's own decorators.
      const described = Reflect.getMetadata(SWAGGER_API_RESPONSE, handler) !== undefined;
      if (schemas.response === undefined && !described) undeclared.push(`${controller.name}.${key}`);
      else if (schemas.response) {
        const status =
          (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
        ApiResponse({ description: 'Success', schema: zodToOpenApi(schemas.response) as never, status })(
          controller.prototype,
          key,
          descriptor!,
        );
        for (const [other, schema] of Object.entries(schemas.alsoResponses ?? {})) {
          ApiResponse({ description: 'Success', schema: zodToOpenApi(schema) as never, status: Number(other) })(
            controller.prototype,
            key,
            descriptor!,
          );
        }
      }
    }
  }
  // An undeclared answer would be documented as "anything" and checked against nothing.
  if (undeclared.length > 0) throw new Error(`OpenAPI: no @Returns(...) on ${undeclared.join(', ')}`);
}

/** Adds Dify's error shape to every operation, next to the success response Nest describes. */
function addErrorResponses(document: OpenAPIObject): void {
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      [DIFY_ERROR]: {
        properties: {
          code: { example: 'invalid_param', type: 'string' },
          message: { type: 'string' },
          status: { example: 400, type: 'integer' },
        },
        required: ['code', 'message', 'status'],
        type: 'object',
      },
    },
  };
  const error = (description: string) => ({
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${DIFY_ERROR}` } } },
    description,
  });
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.options, item.head, item.patch, item.trace]) {
      if (!operation) continue;
      const secured = (operation.security ?? []).length > 0;
      for (const [status, description] of Object.entries({ ...ERROR_RESPONSES, ...(secured ? AUTH_RESPONSES : {}) }))
        operation.responses[status] ??= error(description);
      for (const response of Object.values(operation.responses))
        if (response && 'description' in response && !response.description) response.description = 'Success';
    }
  }
}

/** The OpenAPI 3 description of every route the gateway serves (console API, Service API, operations). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  describeControllers(app);
  const config = new DocumentBuilder()
    .setTitle('Weft API')
    .setDescription(
      'The console API (`/console/api/*`, people, JWT access tokens) and the Dify-compatible Service API (`/v1/*`, app and dataset API keys). ' +
        "Errors answer in Dify's shape `{code, message, status}`.",
    )
    .setVersion('1')
    .addBearerAuth(
      { bearerFormat: 'JWT', description: 'Console access token from POST /console/api/login', scheme: 'bearer', type: 'http' },
      CONSOLE_AUTH,
    )
    .addBearerAuth({ description: 'App key (`app-…`) or dataset key (`dataset-…`)', scheme: 'bearer', type: 'http' }, SERVICE_AUTH)
    .addBearerAuth(
      { description: "The operators' token (SYSTEM_STATUS_TOKEN), for routes that span every workspace", scheme: 'bearer', type: 'http' },
      OPERATOR_AUTH,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller}_${method}` });
  addErrorResponses(document);
  return document;
}

/**
 * Serves Swagger UI at `/docs` and the description at `/docs-json`. Swagger UI's start-up script is a
 * separate file (`/docs/swagger-ui-init.js`), so it runs under a CSP that allows no inline script.
 */
export function setupOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  // Built on first request, once: every module's controllers are known by then.
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    customSiteTitle: 'Weft API',
    jsonDocumentUrl: DOCS_JSON_PATH,
    raw: ['json'],
    swaggerOptions: { persistAuthorization: false },
  });
}
