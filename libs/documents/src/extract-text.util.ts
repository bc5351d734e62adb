import { csvToMarkdown } from './csv-markdown.util';
import { detectDocumentFormat } from './document-format.util';
import { DocumentParseError, DocumentTooLargeError, UnsupportedDocumentError } from './document.exception';
import { DocumentFormat, ExtractedDocument, ExtractTextInput } from './document.types';
import { PdfWorkerError, readPdfText } from './pdf-text.util';

/**
 * Reads the text of a txt, markdown, html, pdf, docx or csv file. Throws UnsupportedDocumentError,
 * DocumentTooLargeError or DocumentParseError; never returns partial text.
 */
export async function extractText(input: ExtractTextInput): Promise<ExtractedDocument> {
  const { data, filename, maxBytes, mimeType } = input;
  if (maxBytes !== undefined && data.length > maxBytes) throw new DocumentTooLargeError(filename, data.length, maxBytes);
  const format = detectDocumentFormat(filename, mimeType);
  if (!format) throw new UnsupportedDocumentError(filename, mimeType);
  return extractByFormat(format, data, filename);
}

async function extractByFormat(format: DocumentFormat, data: Buffer, filename: string): Promise<ExtractedDocument> {
  switch (format) {
    case 'text':
    case 'markdown':
      return { format, text: decodeUtf8(data, filename, format) };
    case 'html':
      return { format, text: await htmlText(decodeUtf8(data, filename, format)) };
    case 'csv':
      return { format, text: csvText(decodeUtf8(data, filename, format), filename) };
    case 'docx':
      return { format, text: await docxText(data, filename) };
    case 'pdf':
      return { format, ...(await pdfText(data, filename)) };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// fatal: a file in another encoding fails loudly instead of becoming text full of U+FFFD; the decoder also
// drops a leading byte order mark.
function decodeUtf8(data: Buffer, filename: string, format: DocumentFormat): string {
  try {
    return utf8.decode(data);
  } catch (error) {
    throw new DocumentParseError(filename, format, 'the file is not valid UTF-8 text.', { cause: error });
  }
}

// The parsers are loaded on first use: services that only check file types (the gateway) never pay their memory.
async function htmlText(html: string): Promise<string> {
  const { convert: htmlToText } = await import('html-to-text');
  return htmlToText(html, {
    // Line lengths are the chunker's concern, not the extractor's.
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      // Upper-cased headings and th cells would change the words that keyword search and embeddings see.
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: 'img', format: 'skip' },
      { selector: 'noscript', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      { selector: 'template', format: 'skip' },
    ],
  }).trim();
}

function csvText(csv: string, filename: string): string {
  try {
    return csvToMarkdown(csv);
  } catch (error) {
    throw new DocumentParseError(filename, 'csv', reasonOf(error), { cause: error });
  }
}

async function docxText(data: Buffer, filename: string): Promise<string> {
  try {
    const { default: mammoth } = await import('mammoth');
    const result = await mammoth.extractRawText({ buffer: data });
    return result.value.trim();
  } catch (error) {
    throw new DocumentParseError(filename, 'docx', reasonOf(error), { cause: error });
  }
}

async function pdfText(data: Buffer, filename: string): Promise<{ pages: number; text: string }> {
  try {
    const { pageTexts } = await readPdfText(data);
    // Pages are joined without markers: markers would end up in chunks and embeddings as if they were content.
    return {
      pages: pageTexts.length,
      text: pageTexts
        .map((page) => page.trim())
        .join('\n\n')
        .trim(),
    };
  } catch (error) {
    const passwordProtected = error instanceof PdfWorkerError && error.reasonName === 'PasswordException';
    throw new DocumentParseError(filename, 'pdf', passwordProtected ? 'the PDF is password-protected.' : reasonOf(error), { cause: error });
  }
}

// Duck-typed rather than instanceof Error: errors raised by Node itself come from another realm under Jest.
function reasonOf(error: unknown): string {
  const raw = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  const message = typeof raw === 'string' && raw !== '' ? raw : String(error);
  return /[.!?]$/.test(message) ? message : `${message}.`;
}
