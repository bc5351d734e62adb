import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Dify's signed file links (`core/file/helpers.py`): `/files/{id}/file-preview?timestamp=…&nonce=…&sign=…`,
// the sign an HMAC-SHA256 of `file-preview|{id}|{timestamp}|{nonce}` in URL-safe base64, valid for
// FILES_ACCESS_TIMEOUT seconds. The link is the credential, so it can be handed to a browser. Weft keys the
// HMAC with a key derived from SECRET_KEY for this one purpose rather than with SECRET_KEY itself.

/** How signed file links are made and checked. */
export interface FileLinkSettings {
  /** Public address links start with (FILES_URL); undefined gives a path on the gateway. */
  baseUrl: string | undefined;
  /** The HMAC key (see fileLinkKey). */
  key: Buffer;
  /** How long a link works, in seconds. */
  ttlSeconds: number;
}

/** What a signed link carries besides the file id. */
export interface FileLinkSignature {
  nonce: string;
  sign: string;
  timestamp: string;
}

/** The key that signs file links, derived from SECRET_KEY so that no other signature can be replayed as one. */
export function fileLinkKey(secretKey: string): Buffer {
  return createHmac('sha256', secretKey).update('weft-file-links').digest();
}

/** The sign of a link to a file at a time with a nonce (URL-safe base64 with padding, as Dify writes it). */
export function fileLinkSign(key: Buffer, fileId: string, timestamp: string, nonce: string): string {
  return createHmac('sha256', key)
    .update(`file-preview|${fileId}|${timestamp}|${nonce}`)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

/** A signed link to a file, valid from `nowMs` for the configured time; `&as_attachment=true` makes it a download. */
export function signedFileUrl(
  settings: FileLinkSettings,
  fileId: string,
  nowMs = Date.now(),
  nonce = randomBytes(16).toString('hex'),
): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  const query = new URLSearchParams({ nonce, sign: fileLinkSign(settings.key, fileId, timestamp, nonce), timestamp });
  const base = settings.baseUrl?.replace(/\/+$/, '') ?? '';
  return `${base}/files/${encodeURIComponent(fileId)}/file-preview?${query.toString()}`;
}

/**
 * A signed link to a tool file (Dify's `sign_tool_file`): `/files/tools/{id}{extension}?timestamp&nonce&sign`,
 * signed like every file link; `extension` carries its dot (`.mp3`).
 */
export function signedToolFileUrl(
  settings: FileLinkSettings,
  fileId: string,
  extension: string,
  nowMs = Date.now(),
  nonce = randomBytes(16).toString('hex'),
): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  // Written as Dify writes it, the sign's base64 padding unescaped; query parsers split at the first `=`.
  const sign = fileLinkSign(settings.key, fileId, timestamp, nonce);
  const base = settings.baseUrl?.replace(/\/+$/, '') ?? '';
  return `${base}/files/tools/${encodeURIComponent(fileId)}${extension}?timestamp=${timestamp}&nonce=${nonce}&sign=${sign}`;
}

/** Whether a link's signature is the file's and the link has not expired (nor claims a time too far ahead). */
export function verifyFileLink(settings: FileLinkSettings, fileId: string, link: FileLinkSignature, nowMs = Date.now()): boolean {
  if (!/^\d{1,12}$/.test(link.timestamp) || link.nonce.length === 0 || link.nonce.length > 128) return false;
  const age = Math.floor(nowMs / 1000) - Number(link.timestamp);
  if (age > settings.ttlSeconds || age < -settings.ttlSeconds) return false;
  const expected = Buffer.from(fileLinkSign(settings.key, fileId, link.timestamp, link.nonce));
  const given = Buffer.from(link.sign);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
