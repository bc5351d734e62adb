import { Worker } from 'node:worker_threads';

/** Text of a PDF, one entry per page in page order. */
export interface PdfText {
  pageTexts: string[];
}

/** Why the worker could not read a PDF; `reasonName` is pdf.js's exception name (InvalidPDFException, PasswordException ...). */
export class PdfWorkerError extends Error {
  constructor(
    readonly reasonName: string,
    message: string,
  ) {
    super(message);
    this.name = 'PdfWorkerError';
  }
}

// Parsing is CPU-bound and the input untrusted, so a crafted file must not stall the service for long.
const PDF_TIMEOUT_MS = 60_000;
// A worker over this heap limit dies alone with ERR_WORKER_OUT_OF_MEMORY instead of taking the process down.
const PDF_HEAP_LIMIT_MB = 512;

// Plain CommonJS run by the worker. It is a string rather than a file because a .ts file could not be
// started as a worker from the TypeScript sources that tests run. isEvalSupported is off because the
// PDFs are untrusted and pdf.js must not compile code from their font and function programs.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PDFParse, VerbosityLevel } = require(workerData.pdfParsePath);
(async () => {
  const parser = new PDFParse({ data: workerData.data, isEvalSupported: false, verbosity: VerbosityLevel.ERRORS });
  try {
    const result = await parser.getText({ pageJoiner: '' });
    parentPort.postMessage({ ok: true, pageTexts: result.pages.map((page) => page.text) });
  } catch (error) {
    parentPort.postMessage({ ok: false, name: (error && error.name) || 'Error', message: (error && error.message) || String(error) });
  } finally {
    await parser.destroy();
  }
})();
`;

type WorkerReply = { ok: true; pageTexts: string[] } | { ok: false; name: string; message: string };

/**
 * Reads the text of every page with pdf-parse in a worker thread, one worker per document. In-process use
 * would block the event loop for the whole parse, and pdf.js loads its parser with a dynamic import() that
 * fails inside Jest's module sandbox; a worker thread is plain Node, so neither applies.
 */
export async function readPdfText(data: Buffer): Promise<PdfText> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: PDF_HEAP_LIMIT_MB },
    // workerData is copied, so pdf.js never touches (or detaches) the caller's buffer.
    workerData: { data: new Uint8Array(data), pdfParsePath: require.resolve('pdf-parse') },
  });
  try {
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PdfWorkerError('Timeout', `parsing took longer than ${PDF_TIMEOUT_MS / 1000} s.`)),
        PDF_TIMEOUT_MS,
      );
      worker.once('message', (message: WorkerReply) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new PdfWorkerError('WorkerExit', `the parser stopped with exit code ${code}.`));
      });
    });
    if (!reply.ok) throw new PdfWorkerError(reply.name, reply.message);
    return { pageTexts: reply.pageTexts };
  } finally {
    await worker.terminate();
  }
}
