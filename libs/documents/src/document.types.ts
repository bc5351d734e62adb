/** The formats extractText understands; each names how the text was obtained, not the file's extension. */
export const DOCUMENT_FORMATS = ['text', 'markdown', 'html', 'pdf', 'docx', 'csv'] as const;

/** One of DOCUMENT_FORMATS. */
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** A file to read: its bytes, its name (the extension decides the format) and, if known, its declared mime type. */
export interface ExtractTextInput {
  data: Buffer;
  filename: string;
  /** Larger inputs are refused with DocumentTooLargeError before any parsing starts. */
  maxBytes?: number;
  mimeType?: string;
}

/** The text read from a document; pages is set for PDFs only. */
export interface ExtractedDocument {
  format: DocumentFormat;
  pages?: number;
  text: string;
}
