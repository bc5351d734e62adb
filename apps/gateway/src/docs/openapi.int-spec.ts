import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import SwaggerParser from '@apidevtools/swagger-parser';
import { gatewayConfigSpec, loadConfig } from '@weft/config';
import { createServiceIdentity } from '@weft/platform';
import { createTestDatabase, infraUrls, uniqueSuffix, type TestDatabase } from '@weft/testing';
import type { OpenAPI } from 'openapi-types';
import { GatewayModule } from '../gateway.module';
import { setupOpenApi } from './openapi.util';

interface ExpressLayer {
  route?: { methods: Record<string, boolean>; path: string };
}

/** Express paths as OpenAPI writes them: `:appId`, `*provider` and `{*path}` become `{appId}`, `{provider}`, `{path}`. */
const toOpenApiPath = (path: string) =>
  path.replace(/\{\*(\w+)\}|\*(\w+)|:(\w+)/g, (_m, a?: string, b?: string, c?: string) => `{${a ?? b ?? c}}`);

// The real gateway module (every controller it registers), in process, on the real Postgres, Redis and NATS.
describe('OpenAPI description of the gateway', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const urls = infraUrls();
    const suffix = uniqueSuffix();
    const config = loadConfig('gateway', gatewayConfigSpec, {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      NATS_SUBJECT_PREFIX: `t${suffix}`,
      NATS_URL: urls.natsUrl,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
      REDIS_KEY_PREFIX: `weft-test:${suffix}:`,
      REDIS_URL: urls.redisUrl,
    });
    app = await NestFactory.create(GatewayModule.forRoot(config, createServiceIdentity('gateway')), { logger: false });
    setupOpenApi(app);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('is a valid OpenAPI 3 document', async () => {
    const res = await fetch(`${baseUrl}/docs-json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as OpenAPI.Document & { openapi: string };
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('describes every route the gateway registers, with its method', async () => {
    const document = (await (await fetch(`${baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
    const routes = express.router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => ({ method, path: layer.route!.path })))
      // Swagger UI's own files, and Nest's `forRoutes('*')` middleware, which Express 5 keeps as routes on `/{*path}`.
      .filter((r) => !r.path.startsWith('/docs') && r.path !== '/{*path}');
    expect(routes.length).toBeGreaterThan(40);
    const undescribed = routes
      .filter((r) => !document.paths[toOpenApiPath(r.path)]?.[r.method])
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(undescribed).toEqual([]);
    for (const prefix of ['/console/api/', '/v1/']) expect(Object.keys(document.paths).some((p) => p.startsWith(prefix))).toBe(true);
  });

  it('takes request bodies and query parameters from the zod schemas, with auth and Dify errors', async () => {
    const document = (await (await fetch(`${baseUrl}/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { in: string; name: string }[];
            requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
            responses: Record<string, unknown>;
            security?: unknown[];
            tags?: string[];
          }
        >
      >;
    };
    const login = document.paths['/console/api/login']!['post']!;
    const loginSchema = login.requestBody!.content['application/json']!.schema;
    expect(Object.keys(loginSchema.properties!)).toEqual(expect.arrayContaining(['email', 'password']));
    expect(login.tags).toEqual(['Console API']);
    const run = document.paths['/v1/workflows/run']!['post']!;
    expect(run.requestBody!.content['application/json']!.schema.required).toEqual(expect.arrayContaining(['inputs', 'user']));
    expect(run.security).toEqual([{ 'api-key': [] }]);
    expect(run.tags).toEqual(['Service API']);
    expect(run.responses['401']).toEqual(
      expect.objectContaining({ content: { 'application/json': { schema: { $ref: '#/components/schemas/DifyError' } } } }),
    );
    // The operators' platform-wide audit check takes the operator token, not an API key.
    const operatorVerify = document.paths['/v1/system/audit/verify']!['get']!;
    expect(operatorVerify.security).toEqual([{ 'operator-token': [] }]);
    expect(operatorVerify.tags).toEqual(['Operations']);
    expect(operatorVerify.responses['401']).toBeDefined();
    const logs = document.paths['/v1/workflows/logs']!['get']!;
    expect(logs.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:status', 'query:page']));
    const bodies = Object.values(document.paths).flatMap((item) =>
      ['post', 'put', 'patch'].map((m) => item[m]).filter((op) => op?.requestBody),
    );
    expect(bodies.length).toBeGreaterThan(15);
  });

  it('documents the success answer of every route from the schema it declares with @Returns', async () => {
    const document = (await (await fetch(`${baseUrl}/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>
      >;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ op, route: `${method.toUpperCase()} ${path}` })),
    );
    const withoutSuccess = operations
      .filter(({ op }) => !Object.keys(op.responses).some((status) => status.startsWith('2')))
      .map((o) => o.route);
    expect(withoutSuccess).toEqual([]);
    const described = operations.filter(({ op }) =>
      Object.entries(op.responses).some(([status, r]) => status.startsWith('2') && r.content?.['application/json']),
    );
    expect(described.length).toBeGreaterThan(60);
    const run = document.paths['/v1/workflows/run']!['post']!.responses['200']!.content!['application/json']!.schema;
    expect(Object.keys(run.properties!)).toEqual(expect.arrayContaining(['data', 'task_id', 'workflow_run_id']));
    const logs = document.paths['/v1/workflows/logs']!['get']!.responses['200']!.content!['application/json']!.schema;
    expect(Object.keys(logs.properties!)).toEqual(expect.arrayContaining(['data', 'has_more', 'limit', 'page', 'total']));
    // A route with two success answers (@AlsoReturns) documents both: the first account's tokens, a later one's mailed code.
    const register = document.paths['/console/api/register']!['post']!.responses;
    expect(Object.keys(register['201']!.content!['application/json']!.schema.properties!)).toContain('access_token');
    expect(Object.keys(register['202']!.content!['application/json']!.schema.properties!).sort()).toEqual(['data', 'result']);
  });

  it('serves Swagger UI as HTML whose start-up script is a file, not inline', async () => {
    const res = await fetch(`${baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('swagger-ui');
    for (const script of html.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? [])
      expect(script).toMatch(/^<script[^>]*\ssrc=[^>]*>\s*<\/script>$/);
    const init = await fetch(`${baseUrl}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('SwaggerUIBundle(');
  });
});
