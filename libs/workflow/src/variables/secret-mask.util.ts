/** What a secret value is replaced with wherever a run records or shows it. */
export const SECRET_MASK = '******';

/** Secrets shorter than this are not masked: replacing every "a" or "1" would garble everything and hide nothing. */
const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of a secret in strings, at any depth; the same value back when there is nothing to hide. */
export type SecretMask = <T>(value: T) => T;

/** A mask for these secret values (longest first, so a secret containing another is replaced whole). */
export function createSecretMask(secrets: readonly string[]): SecretMask {
  const hidden = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  if (hidden.length === 0) return (value) => value;
  const maskString = (text: string): string => {
    let result = text;
    for (const secret of hidden) if (result.includes(secret)) result = result.split(secret).join(SECRET_MASK);
    return result;
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return maskString(value);
    if (depth > 64 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const mapped = value.map((v) => walk(v, depth + 1));
      return mapped.some((v, i) => v !== value[i]) ? mapped : value;
    }
    let changed = false;
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      const masked = walk(v, depth + 1);
      if (masked !== v) changed = true;
      return [k, masked] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  };
  return <T>(value: T) => walk(value, 0) as T;
}
