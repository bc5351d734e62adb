import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { parseBody } from '@weft/contracts';
import type { Request } from 'express';
import type { ZodTypeAny } from 'zod';

/** What a route declares about its shapes: the body and query it parses, and the JSON it answers. */
export interface RouteSchemas {
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  /** The success response; null for a route that answers no body (204) or not JSON (a stream, a file). */
  response?: ZodTypeAny | null;
  /** Other success answers, by status, of a route that answers differently as the case may be (`@AlsoReturns`). */
  alsoResponses?: Record<number, ZodTypeAny>;
}

const ROUTE_SCHEMAS = Symbol('weft:route-schemas');

function declare(target: object, key: string | symbol, schemas: RouteSchemas): void {
  const current = (Reflect.getMetadata(ROUTE_SCHEMAS, target, key) as RouteSchemas | undefined) ?? {};
  Reflect.defineMetadata(ROUTE_SCHEMAS, { ...current, ...schemas }, target, key);
}

/** The schemas a controller method declared with `@ParsedBody`, `@ParsedQuery` and `@Returns`. */
export function routeSchemas(prototype: object, key: string): RouteSchemas {
  return (Reflect.getMetadata(ROUTE_SCHEMAS, prototype, key) as RouteSchemas | undefined) ?? {};
}

// The schema travels wrapped: Nest takes a decorator argument with a `transform` method (every zod schema
// has one) for a pipe, and would hand the factory nothing.
const parsedBody = createParamDecorator((data: { schema: ZodTypeAny }, ctx: ExecutionContext) =>
  parseBody(data.schema, ctx.switchToHttp().getRequest<Request>().body),
);
const parsedQuery = createParamDecorator((data: { schema: ZodTypeAny }, ctx: ExecutionContext) =>
  parseBody(data.schema, ctx.switchToHttp().getRequest<Request>().query),
);

/**
 * The request body, parsed by `schema` (a bad body answers 400 `invalid_param` naming each problem). The
 * same schema describes the body in the OpenAPI document, so the two cannot drift apart.
 */
export function ParsedBody(schema: ZodTypeAny): ParameterDecorator {
  return (target, key, index) => {
    declare(target, key!, { body: schema });
    parsedBody({ schema })(target, key, index);
  };
}

/** The query string, parsed by `schema`; documented as the operation's query parameters. */
export function ParsedQuery(schema: ZodTypeAny): ParameterDecorator {
  return (target, key, index) => {
    declare(target, key!, { query: schema });
    parsedQuery({ schema })(target, key, index);
  };
}

/**
 * The JSON a route answers on success, documented in OpenAPI; the end-to-end tests check every real
 * response against it. Type the handler's result as `z.infer<typeof schema>` so the compiler holds the
 * code to it too. `null` says the route answers no JSON body (204, a stream, a download).
 */
export function Returns(schema: ZodTypeAny | null): MethodDecorator {
  return (target, key) => declare(target, key, { response: schema });
}

/**
 * A second success answer of a route, with its own status: e.g. `POST /console/api/register` answers 201
 * with tokens for the instance's first account and 202 with a token for the mailed code otherwise. The
 * handler sets that status itself (`res.status(…)` with `@Res({ passthrough: true })`).
 */
export function AlsoReturns(status: number, schema: ZodTypeAny): MethodDecorator {
  return (target, key) => {
    const current = (Reflect.getMetadata(ROUTE_SCHEMAS, target, key) as RouteSchemas | undefined)?.alsoResponses ?? {};
    declare(target, key, { alsoResponses: { ...current, [status]: schema } });
  };
}
