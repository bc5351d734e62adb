import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

interface Route {
  method: string;
  path: string;
  /** Each `{name}` one path segment. */
  pattern: RegExp;
  /** The same with a trailing `{name}` spanning several segments, as a wildcard route's does. */
  wide: RegExp;
  operation: Operation;
}

/**
 * The gateway's OpenAPI document held against real answers: every JSON success response an end-to-end
 * test receives must match the schema its route declares (`@Returns`), and its status must be the one
 * documented. Built once per gateway from `/docs-json`.
 */
export class ResponseContract {
  private static readonly loaded = new Map<string, Promise<ResponseContract | null>>();
  private readonly ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(
    private readonly routes: Route[],
    private readonly broken: string | null = null,
  ) {}

  /** The contract of the gateway at `baseUrl`, or null when it serves no description (then nothing is checked). */
  static for(baseUrl: string): Promise<ResponseContract | null> {
    let contract = this.loaded.get(baseUrl);
    if (!contract) {
      contract = fetch(`${baseUrl}/docs-json`)
        .then(async (res) => {
          if (res.ok) return ResponseContract.fromDocument((await res.json()) as { paths: Record<string, Record<string, Operation>> });
          // A gateway that serves no description checks nothing; one whose description fails to build is broken.
          return res.status >= 500
            ? new ResponseContract([], `the gateway's API document could not be built (GET /docs-json answered ${res.status})`)
            : null;
        })
        .catch(() => null);
      // A gateway that was not up yet is asked again next time.
      void contract.then((c) => c ?? this.loaded.delete(baseUrl));
      this.loaded.set(baseUrl, contract);
    }
    return contract;
  }

  /** The contract of an OpenAPI document already at hand. */
  static fromDocument(document: { paths: Record<string, Record<string, Operation>> }): ResponseContract {
    const routes: Route[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      const narrow = escaped.replace(/\{\w+\}/g, '[^/]+');
      // A wildcard route's parameter is its last one, possibly followed by literal segments (`builtin/{provider}/update`).
      const wide = escaped.replace(/\{\w+\}(?=[^{]*$)/, '.+').replace(/\{\w+\}/g, '[^/]+');
      for (const [method, operation] of Object.entries(item)) {
        routes.push({ method: method.toUpperCase(), operation, path, pattern: new RegExp(`^${narrow}$`), wide: new RegExp(`^${wide}$`) });
      }
    }
    // Literal paths before templated ones, so `/v1/datasets/tags` is not read as `/v1/datasets/{id}`.
    routes.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
    return new ResponseContract(routes);
  }

  /** Why this answer breaks the contract, or null when it keeps it (or is not a JSON success answer). */
  violation(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    if (status < 200 || status >= 300 || !contentType?.includes('application/json')) return null;
    if (this.broken) return this.broken;
    const path = new URL(url).pathname;
    // The description itself (and Swagger UI's files) is not one of the routes it describes.
    if (path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-json')) return null;
    // One segment per parameter first; only a path no route matches so is read as a wildcard route's.
    const verb = method.toUpperCase();
    const route =
      this.routes.find((r) => r.method === verb && r.pattern.test(path)) ?? this.routes.find((r) => r.method === verb && r.wide.test(path));
    if (!route) return `${method} ${path} answered ${status} but the OpenAPI document has no such operation`;
    const responses = route.operation.responses ?? {};
    const documented = Object.keys(responses).filter((s) => s.startsWith('2'));
    const schema = responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema)
      return `${method} ${route.path} answered ${status} with JSON, but documents ${documented.length > 0 ? documented.join(', ') : 'no JSON success answer'}`;
    const key = `${route.method} ${route.path} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    if (validate(body)) return null;
    const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
    return `${method} ${route.path} answered ${status} with a body its documented schema refuses: ${problems.join('; ')}`;
  }
}
