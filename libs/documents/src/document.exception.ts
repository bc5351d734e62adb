import { SUPPORTED_DOCUMENT_EXTENSIONS } from './document-format.util';
import { DocumentFormat } from './document.types';

/** Why a document could not be turned into text. */
export type DocumentErrorCode = 'document_parse_error' | 'document_too_large' | 'unsupported_file_type';

/** Base of every error extractText throws on purpose; callers map `code` to their own responses. */
export class DocumentError extends Error {
  constructor(
    readonly code: DocumentErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DocumentError';
  }
}

/** Neither the extension nor the mime type names a supported format. */
export class UnsupportedDocumentError extends DocumentError {
  constructor(
    readonly filename: string,
    readonly mimeType: string | undefined,
  ) {
    super(
      'unsupported_file_type',
      `Unsupported file type for "${filename}"${mimeType ? ` (${mimeType})` : ''}; supported extensions: ${SUPPORTED_DOCUMENT_EXTENSIONS.join(', ')}.`,
    );
    this.name = 'UnsupportedDocumentError';
  }
}

/** The file claims a supported format but its content cannot be read as that format (corrupt, encrypted, not UTF-8). */
export class DocumentParseError extends DocumentError {
  constructor(
    readonly filename: string,
    readonly format: DocumentFormat,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('document_parse_error', `Could not read "${filename}" as ${format}: ${reason}`, options);
    this.name = 'DocumentParseError';
  }
}

/** The input is larger than the caller's maxBytes. */
export class DocumentTooLargeError extends DocumentError {
  constructor(
    readonly filename: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super('document_too_large', `"${filename}" is ${sizeBytes} bytes, over the limit of ${maxBytes} bytes.`);
    this.name = 'DocumentTooLargeError';
  }
}
