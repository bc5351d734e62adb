import express from 'express';

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

/**
 * Whether a JSON body is blank: empty, or JSON whitespace only (space, tab, CR, LF). Clients send such
 * bodies with `Content-Type: application/json` when they have nothing to say (the official Dify SDK does on
 * `DELETE /v1/datasets/{id}`), and Dify reads them as no body, where JSON.parse would refuse them.
 */
export function isBlankJsonBody(body: Buffer): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}

/** Whether a URL's query string or path carries a NUL character (`%00`), which no route accepts. */
export function urlHasNul(url: string): boolean {
  return url.includes('%00');
}

/** The error type verifyJsonBody marks a blank body with, so that jsonBodyParser reads it as no body. */
const BLANK_BODY = 'weft.body.blank';

/** Refuses JSON bodies the services could not store or handle safely (see jsonBodyProblem); marks blank ones. */
function verifyJsonBody(_req: unknown, _res: unknown, body: Buffer): void {
  if (isBlankJsonBody(body)) throw Object.assign(new Error('The request body is blank.'), { type: BLANK_BODY });
  const problem = jsonBodyProblem(body);
  if (problem) throw new Error(problem);
}

/**
 * express.json with Weft's checks, reading a blank body (empty or whitespace, whatever the method) as no
 * body at all, as Dify does: `req.body` stays undefined, as for a request without a body, and the route's
 * own rules decide (parseBody reads it as `{}`). The body parser calls `verify` after reading the whole
 * body and before parsing it, so the request is fully consumed when the blank mark is turned into no body.
 */
export function jsonBodyParser(limit: string): express.RequestHandler {
  const parse = express.json({ limit, verify: verifyJsonBody });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === BLANK_BODY) {
        req.body = undefined;
        next();
        return;
      }
      next(err);
    });
}
