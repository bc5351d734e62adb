import { FileErrors } from '@weft/contracts';
import { SUPPORTED_DOCUMENT_EXTENSIONS } from '@weft/documents';

/**
 * What `POST /v1/files/upload` accepts, by lower-case extension without the dot: Dify's document, image,
 * audio and video lists. Everything a knowledge base can extract text from is a document too, so the
 * two lists cannot drift apart. SVG is accepted as Dify does; uploads are never served back inline here.
 */
export const UPLOAD_FILE_TYPES = {
  audio: ['amr', 'm4a', 'mp3', 'mpga', 'wav', 'webm'],
  // Executables and scripts. They are on no allowed list, so they are refused anyway, but with Dify's own
  // answer for its extension blacklist (400 invalid_param), so clients written against Dify react the same.
  blocked: ['apk', 'app', 'bat', 'bin', 'cmd', 'com', 'cpl', 'dll', 'dmg', 'exe', 'jar', 'msi', 'pif', 'ps1', 'scr', 'sh', 'vbs'],
  document: [
    'csv',
    'doc',
    'docx',
    'eml',
    'epub',
    'htm',
    'html',
    'json',
    'markdown',
    'md',
    'mdx',
    'msg',
    'pdf',
    'ppt',
    'pptx',
    'properties',
    'txt',
    'vtt',
    'xls',
    'xlsx',
    'xml',
    ...SUPPORTED_DOCUMENT_EXTENSIONS.map((extension) => extension.replace(/^\./, '')),
  ],
  image: ['gif', 'jpeg', 'jpg', 'png', 'svg', 'webp'],
  video: ['mov', 'mp4', 'mpeg', 'webm'],
} as const;

const ALLOWED = new Set<string>([
  ...UPLOAD_FILE_TYPES.audio,
  ...UPLOAD_FILE_TYPES.document,
  ...UPLOAD_FILE_TYPES.image,
  ...UPLOAD_FILE_TYPES.video,
]);
const BLOCKED = new Set<string>(UPLOAD_FILE_TYPES.blocked);

/** The extension Dify stores: what follows the last dot, in lower case; empty when there is none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot <= 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

/**
 * Throws unless the extension is on the allow-list. Dify's Service API accepts any extension outside its
 * blacklist; Weft accepts only types a workflow or knowledge base can use, and answers the rest with 415
 * unsupported_file_type, the status HTTP defines for a media type the server refuses and a code Dify
 * clients already handle for this route.
 */
export function assertUploadableExtension(extension: string): void {
  if (BLOCKED.has(extension)) throw FileErrors.extensionBlocked(extension);
  if (!ALLOWED.has(extension)) throw FileErrors.typeNotAllowed();
}
