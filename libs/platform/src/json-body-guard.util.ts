/** How deeply a JSON request body may nest arrays and objects. Dify's payloads (DSL included) stay far below it. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const NUL_ESCAPE = Buffer.from('u0000');

/**
 * What is wrong with a JSON body that JSON.parse would accept but the services cannot store or handle:
 * nesting deeper than `maxDepth` (recursive validation and re-encoding for NATS would overflow the stack)
 * or a NUL character in a string (`\u0000`, which Postgres text and jsonb refuse). One pass over the
 * bytes, outside and inside strings; null when the body is fine. Malformed JSON is left to JSON.parse.
 */
export function jsonBodyProblem(body: Buffer, maxDepth = MAX_JSON_DEPTH): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) {
        if (body[i + 1] === 0x75 && body.compare(NUL_ESCAPE, 0, 5, i + 1, i + 6) === 0)
          return 'Strings in the request body may not contain NUL characters (\\u0000).';
        i++;
      } else if (byte === QUOTE) {
        inString = false;
      }
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return `The request body nests arrays and objects more than ${maxDepth} levels deep.`;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return null;
}

/** Whether a URL's query string or path carries a NUL character (`%00`), which no route accepts. */
export function urlHasNul(url: string): boolean {
  return url.includes('%00');
}
