import Ajv, { type ValidateFunction } from 'ajv';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  operation: Operation;
}

/**
 * The gateway's OpenAPI document held against real answers: every JSON success response an end-to-end
 * test receives must match the schema its route declares (`@Returns`), and its status must be the one
 * documented. Built once per gateway from `/docs-json`.
 */
export class ResponseContract {
  private static readonly loaded = new Map<string, Promise<ResponseContract | null>>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(private readonly routes: Route[]) {}

  /** The contract of the gateway at `baseUrl`, or null when it serves no description (then nothing is checked). */
  static for(baseUrl: string): Promise<ResponseContract | null> {
    let contract = this.loaded.get(baseUrl);
    if (!contract) {
      contract = fetch(`${baseUrl}/docs-json`)
        .then(async (res) => (res.ok ? ResponseContract.fromDocument((await res.json()) as { paths: Record<string, Record<string, Operation>> }) : null))
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
      // `{name}` matches one segment; a trailing parameter (a wildcard route) may span several.
      const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}$/, '.+').replace(/\{\w+\}/g, '[^/]+');
      for (const [method, operation] of Object.entries(item)) routes.push({ method: method.toUpperCase(), operation, path, pattern: new RegExp(`^${source}$`) });
    }
    // Literal paths before templated ones, so `/v1/datasets/tags` is not read as `/v1/datasets/{id}`.
    routes.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
    return new ResponseContract(routes);
  }

  /** Why this answer breaks the contract, or null when it keeps it (or is not a JSON success answer). */
  violation(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    if (status < 200 || status >= 300 || !contentType?.includes('application/json')) return null;
    const path = new URL(url).pathname;
    const route = this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
    if (!route) return `${method} ${path} answered ${status} but the OpenAPI document has no such operation`;
    const responses = route.operation.responses ?? {};
    const documented = Object.keys(responses).filter((s) => s.startsWith('2'));
    const schema = responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) return `${method} ${route.path} answered ${status} with JSON, but documents ${documented.length > 0 ? documented.join(', ') : 'no JSON success answer'}`;
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
