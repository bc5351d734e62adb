/**
 * How `GET /v1/files/{file_id}/preview` serves a stored upload without letting it act in the API's origin:
 * the type it is served as comes from an allow-list by extension (never from the type the uploader
 * claimed), anything that a browser could run (HTML, SVG, XML and every type not on the list) is always a
 * download, and every answer is sandboxed and never sniffed.
 */

/**
 * Extensions served inline, with the one type each is served as: images a browser only draws, audio and
 * video it only plays, PDF, and plain text. Everything else is served as a download.
 */
export const INLINE_TYPES: Readonly<Record<string, string>> = {
  amr: 'audio/amr',
  csv: 'text/csv; charset=utf-8',
  gif: 'image/gif',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  json: 'application/json; charset=utf-8',
  m4a: 'audio/mp4',
  markdown: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  mpeg: 'video/mpeg',
  mpga: 'audio/mpeg',
  pdf: 'application/pdf',
  png: 'image/png',
  properties: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  wav: 'audio/wav',
  webm: 'video/webm',
  webp: 'image/webp',
};

/** What a download is served as: bytes a browser saves and never renders. */
export const DOWNLOAD_TYPE = 'application/octet-stream';

/**
 * The policy of every preview answer: it may load nothing, may not be framed, and runs as a sandboxed,
 * opaque origin with scripts off, so even a file a browser did render could not act as the API.
 */
export const PREVIEW_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * `as_attachment` as Dify reads it (a pydantic boolean): true, false, 1, 0, yes, no, on, off, t, f, y, n in
 * any case; absent is false. Null for anything else (a repeated parameter included).
 */
export function parseAsAttachment(value: unknown): boolean | null {
  if (value === undefined) return false;
  if (typeof value !== 'string') return null;
  const normalized = value.trim().toLowerCase();
  if (['1', 'on', 't', 'true', 'y', 'yes'].includes(normalized)) return true;
  if (['0', 'f', 'false', 'n', 'no', 'off'].includes(normalized)) return false;
  return null;
}

/**
 * `attachment` with the file's name twice (RFC 6266): `filename*` in UTF-8, percent-encoded (RFC 8187), for
 * every browser that reads it, and a plain ASCII `filename` with everything else replaced by `_` for those
 * that do not. Neither can break out of the header (no CR, LF, quotes or backslashes survive).
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_').trim() || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** A stored upload as the preview needs it. */
export interface PreviewedFile {
  extension: string;
  name: string;
  size: number;
}

/**
 * The headers of a preview: the type from INLINE_TYPES, or a download (`application/octet-stream` with
 * `attachment`) when asked for or when the type is not on the list; always nosniff, the sandboxing CSP,
 * and private caching (the answer belongs to the key that asked; Dify's `public` would let shared caches
 * keep it).
 */
export function previewHeaders(file: PreviewedFile, asAttachment: boolean): Record<string, string> {
  const inline = asAttachment ? undefined : INLINE_TYPES[file.extension.toLowerCase()];
  return {
    'cache-control': 'private, max-age=3600',
    'content-length': String(file.size),
    'content-security-policy': PREVIEW_CSP,
    'content-type': inline ?? DOWNLOAD_TYPE,
    ...(inline ? {} : { 'content-disposition': attachmentDisposition(file.name) }),
    'x-content-type-options': 'nosniff',
  };
}
