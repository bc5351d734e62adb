import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { ParsedQuery, Returns } from '../docs/route-schema.util';
import { attachmentDisposition, FilePreviewQuerySchema, mustDownload, wantsAttachment } from './file-preview.dto';
import { FilePreviewService } from './file-preview.service';

/**
 * Dify's signed file links (`GET /files/{file_id}/file-preview?timestamp&nonce&sign[&as_attachment=true]`),
 * as the Knowledge API hands them out for a document's source file. The link is the credential: it works
 * from a browser, without an API key, until it expires.
 */
@Controller('files')
export class FilePreviewController {
  constructor(private readonly previews: FilePreviewService) {}

  @Get(':fileId/file-preview')
  @Returns(null)
  async preview(
    @Param('fileId') fileId: string,
    @ParsedQuery(FilePreviewQuerySchema) query: z.infer<typeof FilePreviewQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.previews.open(fileId, query);
    const download = wantsAttachment(query.as_attachment) || mustDownload(file.mimeType);
    res.setHeader('content-type', download ? 'application/octet-stream' : file.mimeType);
    res.setHeader('content-length', String(file.bytes.length));
    if (download) res.setHeader('content-disposition', attachmentDisposition(file.name));
    // Whatever the file is, it runs nothing in the gateway's origin.
    res.setHeader('content-security-policy', "default-src 'none'; sandbox");
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'private, no-store');
    res.status(200).end(file.bytes);
  }
}
