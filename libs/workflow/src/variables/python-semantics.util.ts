// Dify is written in Python and several of its behaviours (truthiness, `==`, `json.dumps`, list repr in
// error messages) leak into what users see. These helpers reproduce them for JSON values.

/** True for a non-null object that is neither an array nor a class instance other than Object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Python's `bool(value)` for JSON values: null, false, 0, "", [] and {} are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Python's `a == b` for JSON values, where `True == 1` and containers compare by content. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const aNumeric = typeof a === 'number' || typeof a === 'boolean';
  const bNumeric = typeof b === 'number' || typeof b === 'boolean';
  if (aNumeric && bNumeric) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

/** Python's `needle in haystack` for a list. */
export function pyIncludes(haystack: readonly unknown[], needle: unknown): boolean {
  return haystack.some((item) => pyEquals(item, needle));
}

/** Python's `json.dumps(value, ensure_ascii=False)`: JSON with `", "` and `": "` separators. */
export function toPythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => toPythonJson(item)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${toPythonJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Python's `repr()` of a string, used where Dify formats lists into error messages. */
export function pyRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .split(quote)
    .join(`\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/** Python's `str(list)` for a list of strings, e.g. `['a', 'b']`. */
export function pyListRepr(values: readonly string[]): string {
  return `[${values.map((v) => pyRepr(v)).join(', ')}]`;
}

/** Python's `str(value)` for scalars (`None`, `True`), JSON for containers. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return toPythonJson(value);
}

/** Python's `float(text)`: decimal or exponent notation, `inf`, `nan`, surrounding whitespace; null if invalid. */
export function parsePythonFloat(text: string): number | null {
  const trimmed = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(trimmed)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** Python's `int(text)` for base-10 text with optional sign and whitespace; null if invalid. */
export function parsePythonInt(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return null;
  return Number.parseInt(trimmed, 10);
}

/** Python's `len(str)`, which counts code points, not UTF-16 units. */
export function pyLength(value: string): number {
  let count = 0;
  for (const _char of value) count += 1;
  return count;
}

/** Python's string ordering (by code point), for sorting. */
export function comparePyStrings(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done && r.done ? 0 : l.done ? -1 : 1;
    const diff = (l.value.codePointAt(0) ?? 0) - (r.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
}
