import { z } from 'zod';

const part = z.string().max(200);

/** `GET /files/{file_id}/file-preview`: the signature of a signed file link, and whether to download it. */
export const FilePreviewQuerySchema = z.object({
  as_attachment: z.string().max(10).optional(),
  nonce: part.optional(),
  sign: part.optional(),
  timestamp: part.optional(),
});
export type FilePreviewQuery = z.infer<typeof FilePreviewQuerySchema>;

/** Dify reads `as_attachment` as a boolean flag: `true`/`1` (any case) asks for a download. */
export function wantsAttachment(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.toLowerCase());
}

// Types a browser would run or render as a page: served from the gateway's origin they could script it,
// so they always come as a download (Dify forces HTML to download the same way).
const ACTIVE_TYPES =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript)\b/i;

/** Whether a file of this type must be downloaded rather than shown. */
export function mustDownload(mimeType: string): boolean {
  return ACTIVE_TYPES.test(mimeType.trim());
}

/** `Content-Disposition` for a download of a file by name (RFC 5987, as Dify writes it). */
export function attachmentDisposition(name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${encoded}`;
}

// Types a browser shows without running anything: tool files of these types may be shown inline; any other
// (SVG and HTML above all) comes as a download.
const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp|bmp|x-icon)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|text\/plain)$/i;

/** Whether a file of this type may be shown inline rather than downloaded. */
export function mayShowInline(mimeType: string): boolean {
  return INLINE_TYPES.test(mimeType.split(';')[0]!.trim());
}
