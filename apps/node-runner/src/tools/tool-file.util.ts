import { FILE_MODEL_IDENTITY, type WorkflowFile } from '@weft/workflow';

// The extension Dify gives a tool file is Python's `mimetypes.guess_extension(mime_type) or ".bin"`; these
// are its answers for the types tools produce (Python's own table, where it differs from IANA's `.mpga`).
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/json': '.json',
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'audio/aac': '.aac',
  'audio/flac': '.flac',
  'audio/mp4': '.m4a',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
  'audio/opus': '.opus',
  'audio/wav': '.wav',
  'audio/webm': '.weba',
  'audio/x-wav': '.wav',
  'image/bmp': '.bmp',
  'image/gif': '.gif',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/svg+xml': '.svg',
  'image/webp': '.webp',
  'text/csv': '.csv',
  'text/html': '.html',
  'text/markdown': '.md',
  'text/plain': '.txt',
  'video/mp4': '.mp4',
  'video/webm': '.webm',
};

/** A mime type without parameters, lower case; Dify's default `octet/stream` when none is given. */
export function normalizeMimeType(mimeType: string | undefined): string {
  const essence = (mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : 'octet/stream';
}

/** The extension, with its dot, a tool file of this type gets (`.bin` when the type is not known). */
export function toolFileExtension(mimeType: string): string {
  return EXTENSIONS[normalizeMimeType(mimeType)] ?? '.bin';
}

/** Dify's file type of a mime type (`get_file_type_by_mime_type`): image, video, audio, document or custom. */
export function fileTypeOfMimeType(mimeType: string): 'image' | 'video' | 'audio' | 'document' | 'custom' {
  const mime = mimeType.toLowerCase();
  if (mime.includes('image')) return 'image';
  if (mime.includes('video')) return 'video';
  if (mime.includes('audio')) return 'audio';
  if (mime.includes('text') || mime.includes('pdf')) return 'document';
  return 'custom';
}

/**
 * The name a tool file is stored under: the tool's own name when it gave a usable one (its extension replaced
 * by the type's, so a name cannot claim another type), else the file id's hex with the extension, as Dify names it.
 */
export function toolFileName(id: string, extension: string, given: string | undefined): string {
  const cleaned = (given ?? '')
    .split(/[\\/]/)
    .pop()!
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  const stem = cleaned.replace(/\.[A-Za-z0-9]{1,10}$/, '');
  return stem && !stem.startsWith('.') ? `${stem}${extension}` : `${id.replace(/-/g, '')}${extension}`;
}

/** What the gateway recorded for a tool file, and its signed link. */
export interface StoredToolFile {
  extension: string;
  id: string;
  mimeType: string;
  name: string;
  size: number;
  url: string;
}

/** The Dify File value of a stored tool file, as a tool node's `files` output holds it. */
export function toolFileValue(file: StoredToolFile): WorkflowFile {
  return {
    dify_model_identity: FILE_MODEL_IDENTITY,
    extension: file.extension,
    filename: file.name,
    id: null,
    mime_type: file.mimeType,
    related_id: file.id,
    remote_url: null,
    size: file.size,
    transfer_method: 'tool_file',
    type: fileTypeOfMimeType(file.mimeType),
    url: file.url,
  };
}
