import { isSealed, type SecretBox } from '@weft/security';

/** HKDF context of the secrets in workflow documents; `npm run secrets:rotate` uses the same. */
export const WORKFLOW_ENVIRONMENT_PURPOSE = 'workflow-environment';

type EnvVar = { value?: unknown; value_type?: unknown } & Record<string, unknown>;
type GraphNode = { data?: { authorization?: { config?: Record<string, unknown> | null; type?: unknown } | null; type?: unknown } } & Record<
  string,
  unknown
>;

/**
 * Applies `map` to every secret a workflow document holds: the values of `secret` environment variables
 * and the API keys typed straight into http-request nodes (`authorization.config.api_key`).
 */
function mapSecrets(document: Record<string, unknown>, map: (value: unknown) => unknown): Record<string, unknown> {
  const workflow = document['workflow'] as Record<string, unknown> | undefined;
  if (!workflow) return document;
  const next: Record<string, unknown> = { ...workflow };
  const env = workflow['environment_variables'];
  if (Array.isArray(env))
    next['environment_variables'] = (env as EnvVar[]).map((v) => (v.value_type === 'secret' ? { ...v, value: map(v.value) } : v));
  const graph = workflow['graph'] as { nodes?: unknown } | undefined;
  if (graph && Array.isArray(graph.nodes)) {
    const nodes = (graph.nodes as GraphNode[]).map((node) => {
      const auth = node?.data?.authorization;
      if (node?.data?.type !== 'http-request' || !auth?.config || typeof auth.config['api_key'] !== 'string') return node;
      return {
        ...node,
        data: { ...node.data, authorization: { ...auth, config: { ...auth.config, api_key: map(auth.config['api_key']) } } },
      };
    });
    next['graph'] = { ...graph, nodes };
  }
  return { ...document, workflow: next };
}

/** The document with every secret sealed, so Postgres never holds them in clear. */
export function sealSecrets(document: Record<string, unknown>, box: SecretBox): Record<string, unknown> {
  return mapSecrets(document, (value) =>
    isSealed(value) || value === '' || value === null || value === undefined ? value : box.seal(String(value)),
  );
}

/** The secret values of an opened document (non-empty strings), so a run can keep them out of what it records and shows. */
export function secretsOf(document: Record<string, unknown>): string[] {
  const found = new Set<string>();
  mapSecrets(document, (value) => {
    if (typeof value === 'string' && value !== '' && !isSealed(value)) found.add(value);
    return value;
  });
  return [...found];
}

/** The document with its secrets opened, for a run. */
export function openSecrets(document: Record<string, unknown>, box: SecretBox): Record<string, unknown> {
  return mapSecrets(document, (value) => (isSealed(value) ? box.open(value) : value));
}

/** The document with its secrets re-sealed under the box's current key (key rotation); `changed` counts them. */
export function resealSecrets(document: Record<string, unknown>, box: SecretBox): { changed: number; document: Record<string, unknown> } {
  let changed = 0;
  const result = mapSecrets(document, (value) => {
    if (!isSealed(value) || !box.needsRotation(value)) return value;
    changed += 1;
    return box.reseal(value);
  });
  return { changed, document: result };
}

/**
 * The document with its secrets blanked. Every document that leaves the orchestrator is blanked: secrets
 * are never returned by an API, not even to an export that asks for them (Dify's include_secret=true).
 */
export function blankSecrets(document: Record<string, unknown>): Record<string, unknown> {
  return mapSecrets(document, () => '');
}
