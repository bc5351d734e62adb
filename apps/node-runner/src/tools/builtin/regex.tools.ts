import { createContext, runInContext } from 'node:vm';
import { text, type ToolMessage } from '../tool-runtime.types';

// The `regex` provider's `regex_extract`: Python's `re.findall(expression, content)` answered as Python prints
// the list. The expression is an editor's or a model's, so it may backtrack catastrophically (`(a+)+$`): it
// runs in a V8 context with a time limit, which interrupts even a regex that is still matching, and the
// content and the number of matches are bounded.

/** How long one extraction may run. */
export const REGEX_TIMEOUT_MS = 1_000;
/** The longest content and expression taken. */
export const MAX_REGEX_CONTENT_LENGTH = 1_000_000;
export const MAX_REGEX_EXPRESSION_LENGTH = 2_000;
/** The most matches answered; the rest are left out. */
export const MAX_REGEX_MATCHES = 10_000;

/** Python's `repr` of a string: single quotes unless the text holds one and no double quote, escapes as Python writes them. */
export function pythonRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** What `str()` of `re.findall`'s answer prints: strings, or tuples of strings when the expression has several groups. */
export function pythonListRepr(items: readonly (string | readonly string[])[]): string {
  const item = (value: string | readonly string[]) =>
    typeof value === 'string'
      ? pythonRepr(value)
      : value.length === 1
        ? `(${pythonRepr(value[0]!)},)`
        : `(${value.map(pythonRepr).join(', ')})`;
  return `[${items.map(item).join(', ')}]`;
}

/**
 * A Python expression in JavaScript's dialect: named groups (`(?P<name>…)`, `(?P=name)`) and leading inline
 * flags (`(?i)`, `(?s)`, `(?m)`; `(?x)` and the others are refused by the engine as an error).
 */
export function pythonToJsRegex(expression: string): { flags: string; source: string } {
  let source = expression;
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const flag of inline[1]!) if ('ims'.includes(flag) && !flags.includes(flag)) flags += flag;
  }
  source = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>');
  return { flags, source };
}

// Runs inside the limited context: every match, as findall gives it.
const FINDALL = `(() => {
  const re = new RegExp(source, flags + 'g');
  const out = [];
  for (const m of content.matchAll(re)) {
    if (out.length >= limit) break;
    const groups = m.length - 1;
    out.push(groups === 0 ? m[0] : groups === 1 ? (m[1] ?? '') : Array.from(m).slice(1).map((g) => g ?? ''));
  }
  return JSON.stringify(out);
})()`;

/** `regex_extract`: the matches of `expression` in `content`, or Dify's messages for what it refuses. */
export function regexExtract(params: Record<string, unknown>): ToolMessage[] {
  const content = typeof params['content'] === 'string' ? params['content'].trim() : '';
  if (!content) return [text('Invalid content')];
  const expression = typeof params['expression'] === 'string' ? params['expression'].trim() : '';
  if (!expression) return [text('Invalid expression')];
  if (content.length > MAX_REGEX_CONTENT_LENGTH) {
    return [text(`Failed to extract result, error: the content is longer than ${MAX_REGEX_CONTENT_LENGTH} characters`)];
  }
  if (expression.length > MAX_REGEX_EXPRESSION_LENGTH) {
    return [text(`Failed to extract result, error: the expression is longer than ${MAX_REGEX_EXPRESSION_LENGTH} characters`)];
  }
  const { flags, source } = pythonToJsRegex(expression);
  try {
    const context = createContext({ content, flags, limit: MAX_REGEX_MATCHES, source });
    const found = JSON.parse(runInContext(FINDALL, context, { timeout: REGEX_TIMEOUT_MS }) as string) as (string | string[])[];
    return [text(pythonListRepr(found))];
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
        ? `the expression took longer than ${REGEX_TIMEOUT_MS} ms (catastrophic backtracking?)`
        : String((error as Error).message ?? error);
    return [text(`Failed to extract result, error: ${reason}`)];
  }
}
