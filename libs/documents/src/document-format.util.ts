import { extname } from 'node:path';
import { DocumentFormat } from './document.types';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  '.csv': 'csv',
  '.docx': 'docx',
  '.htm': 'html',
  '.html': 'html',
  '.markdown': 'markdown',
  '.md': 'markdown',
  '.pdf': 'pdf',
  '.txt': 'text',
};

const FORMAT_BY_MIME_TYPE: Readonly<Record<string, DocumentFormat>> = {
  'application/csv': 'csv',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/xhtml+xml': 'html',
  'text/csv': 'csv',
  'text/html': 'html',
  'text/markdown': 'markdown',
  'text/plain': 'text',
  'text/x-markdown': 'markdown',
};

/** File extensions (lower case, with the dot) that extractText accepts. */
export const SUPPORTED_DOCUMENT_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

/**
 * Picks the format from the extension, falling back to the mime type; undefined when neither is supported.
 * The extension wins, as in Dify's document extractor, because browsers and clients often send a generic
 * or wrong mime type (application/octet-stream, text/plain for .md) while the name was chosen by the user.
 */
export function detectDocumentFormat(filename: string, mimeType?: string): DocumentFormat | undefined {
  const byExtension = FORMAT_BY_EXTENSION[extname(filename).toLowerCase()];
  if (byExtension) return byExtension;
  // Parameters such as "; charset=utf-8" do not change the format.
  const essence = mimeType?.split(';', 1)[0].trim().toLowerCase();
  return essence ? FORMAT_BY_MIME_TYPE[essence] : undefined;
}
