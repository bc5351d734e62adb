import { isSealed, type SecretBox } from '@weft/security';

type EnvVar = { value?: unknown; value_type?: unknown } & Record<string, unknown>;

function mapSecrets(document: Record<string, unknown>, map: (value: unknown) => unknown): Record<string, unknown> {
  const workflow = document['workflow'] as Record<string, unknown> | undefined;
  const env = workflow?.['environment_variables'];
  if (!workflow || !Array.isArray(env)) return document;
  const environment_variables = (env as EnvVar[]).map((v) => (v.value_type === 'secret' ? { ...v, value: map(v.value) } : v));
  return { ...document, workflow: { ...workflow, environment_variables } };
}

/** The document with every secret environment value sealed, so Postgres never holds them in clear. */
export function sealSecrets(document: Record<string, unknown>, box: SecretBox): Record<string, unknown> {
  return mapSecrets(document, (value) => (isSealed(value) || value === '' || value === null || value === undefined ? value : box.seal(String(value))));
}

/** The document with secret environment values opened, for a run or an export that asked for secrets. */
export function openSecrets(document: Record<string, unknown>, box: SecretBox): Record<string, unknown> {
  return mapSecrets(document, (value) => (isSealed(value) ? box.open(value) : value));
}

/** The document with secret environment values blanked, as Dify exports them by default. */
export function blankSecrets(document: Record<string, unknown>): Record<string, unknown> {
  return mapSecrets(document, () => '');
}
