import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { DocumentError, UnsupportedDocumentError, extractText } from '@weft/documents';
import { isFileValue, type WorkflowFile } from '@weft/workflow';
import { FileDownloadError, workflowFileName, type WorkflowFileReader } from '../../files/workflow-file-reader.service';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';

/** A failure with the class name Dify reports for it. */
class DocumentExtractorFailure extends Error {
  constructor(
    readonly errorType: 'TextExtractionError' | 'UnsupportedFileTypeError',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The document-extractor node: reads the text of a file variable (`text` is a string) or of a file list
 * (`text` is a list of strings, one per file). The bytes come from WorkflowFileReader: uploads within the
 * run's workspace, URLs through the SSRF guard, and a clear FileDownloadError for tool files.
 */
export class DocumentExtractorExecutor implements NodeJobExecutor {
  constructor(private readonly files: WorkflowFileReader) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const selector = asSelector(job.data['variable_selector']);
    if (!selector) return failed('DocumentExtractorError', 'The document extractor has no valid variable selector.');
    const inputs = { variable_selector: selector };
    const value = ctx.pool.get(selector);
    if (value === undefined || value === null) {
      return failed('DocumentExtractorError', `File variable not found for selector: ${selector.join('.')}`, { inputs });
    }
    const single = isFileValue(value);
    if (!single && !(Array.isArray(value) && value.every((item) => isFileValue(item)))) {
      return failed('DocumentExtractorError', `Variable ${selector.join('.')} is not a file or a list of files.`, { inputs });
    }
    const files: WorkflowFile[] = single ? [value] : (value as WorkflowFile[]);
    const processData = { documents: files.map(describeFile) };
    try {
      const texts: string[] = [];
      // One at a time: files can be large, and a list is rarely long.
      for (const file of files) texts.push(await this.extract(file, job.workspaceId, ctx.signal));
      return succeeded({ inputs, outputs: { text: single ? texts[0] : texts }, processData });
    } catch (error) {
      if (error instanceof DocumentExtractorFailure || error instanceof FileDownloadError)
        return failed(error.errorType, error.message, { inputs, processData });
      throw error;
    }
  }

  private async extract(file: WorkflowFile, workspaceId: string, signal: AbortSignal): Promise<string> {
    const { body, contentType, maxBytes, name } = await this.files.read(file, workspaceId, signal);
    try {
      const document = await extractText({ data: body, filename: name, maxBytes, mimeType: file.mime_type ?? contentType });
      return document.text;
    } catch (error) {
      if (error instanceof UnsupportedDocumentError) throw new DocumentExtractorFailure('UnsupportedFileTypeError', error.message);
      if (error instanceof DocumentError) throw new DocumentExtractorFailure('TextExtractionError', error.message);
      throw new DocumentExtractorFailure('TextExtractionError', `Failed to extract text from "${name}": ${(error as Error).message}`);
    }
  }
}

function describeFile(file: WorkflowFile): Record<string, unknown> {
  return {
    extension: file.extension ?? null,
    mime_type: file.mime_type ?? null,
    name: workflowFileName(file),
    size: file.size ?? null,
    transfer_method: file.transfer_method,
  };
}
