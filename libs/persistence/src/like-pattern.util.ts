/**
 * The `ILIKE` pattern that finds `text` anywhere in a value: `%`, `_` and `\` in it are escaped (Postgres's default
 * escape character), so a keyword a user typed matches itself, never as a wildcard.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[%_\\]/g, '\\$&')}%`;
}
