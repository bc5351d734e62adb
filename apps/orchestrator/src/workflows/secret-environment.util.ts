import { WorkflowErrors } from '@weft/contracts';
import { isLegacySealed, isSealed, SealedValueError, type SealBinding, type SecretBox } from '@weft/security';

/** HKDF context of the secrets in workflow documents; `npm run secrets:rotate` uses the same. */
export const WORKFLOW_ENVIRONMENT_PURPOSE = 'workflow-environment';

/** The app whose workflow holds the secrets. */
export interface SecretsOwner {
  appId: string;
  workspaceId: string;
}

/**
 * What an app's workflow secrets are sealed to (`workflow-environment|<workspace id>|<app id>`): the draft and
 * every published version of the app (publishing copies the document), and no other app or workspace.
 */
export function workflowSecretsBinding(owner: SecretsOwner): SealBinding {
  // Ids as Postgres writes them (lower case), however a caller spelled them.
  return [owner.workspaceId.toLowerCase(), owner.appId.toLowerCase()];
}

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

/**
 * The document with every secret sealed for its app, so Postgres never holds them in clear. A value already
 * sealed in the current format stays as it is (it opens only if it was sealed for this app); one that looks
 * like the old unbound format is taken as the plain value it claims not to be, since only values stored
 * before the upgrade may be bound to a row by re-sealing.
 */
export function sealSecrets(document: Record<string, unknown>, box: SecretBox, owner: SecretsOwner): Record<string, unknown> {
  const binding = workflowSecretsBinding(owner);
  return mapSecrets(document, (value) =>
    (isSealed(value) && !isLegacySealed(value)) || value === '' || value === null || value === undefined
      ? value
      : box.seal(String(value), binding),
  );
}

/**
 * The secret values of an opened document (non-empty strings), so a run can keep them out of what it records
 * and shows. Every value is one, even one that looks sealed: openSecrets has opened everything sealed.
 */
export function secretsOf(document: Record<string, unknown>): string[] {
  const found = new Set<string>();
  mapSecrets(document, (value) => {
    if (typeof value === 'string' && value !== '') found.add(value);
    return value;
  });
  return [...found];
}

/**
 * The document with its secrets opened, for a run of the app `owner` names. A secret that does not open
 * for this app (copied from another, altered, under a removed key, or of the old format not yet re-sealed)
 * fails the whole load with `app_unavailable`, saying which problem; its ciphertext is never used as a value.
 */
export function openSecrets(document: Record<string, unknown>, box: SecretBox, owner: SecretsOwner): Record<string, unknown> {
  const binding = workflowSecretsBinding(owner);
  return mapSecrets(document, (value) => {
    if (!isSealed(value)) return value;
    try {
      return box.open(value, binding);
    } catch (error) {
      if (error instanceof SealedValueError) throw WorkflowErrors.secretsUnreadable(owner.appId, error.problem);
      throw error;
    }
  });
}

/**
 * The document with its secrets re-sealed for its app under the box's current key (key rotation), or with
 * `legacyOnly` only those of the old unbound format (the upgrade); `changed` counts them. A value that does not
 * open for this app is left as it is and counted in `refused`, never bound to it.
 */
export function resealSecrets(
  document: Record<string, unknown>,
  box: SecretBox,
  owner: SecretsOwner,
  options: { legacyOnly?: boolean } = {},
): { changed: number; document: Record<string, unknown>; refused: number } {
  const binding = workflowSecretsBinding(owner);
  let changed = 0;
  let refused = 0;
  const result = mapSecrets(document, (value) => {
    if (!isSealed(value) || !box.needsReseal(value) || (options.legacyOnly && !isLegacySealed(value))) return value;
    try {
      const next = box.reseal(value, binding);
      changed += 1;
      return next;
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      refused += 1;
      return value;
    }
  });
  return { changed, document: result, refused };
}

/**
 * The document with its secrets blanked. Every document that leaves the orchestrator is blanked: secrets
 * are never returned by an API, not even to an export that asks for them (Dify's include_secret=true).
 */
export function blankSecrets(document: Record<string, unknown>): Record<string, unknown> {
  return mapSecrets(document, () => '');
}
