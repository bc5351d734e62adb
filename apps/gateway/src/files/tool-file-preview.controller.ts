import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { ParsedQuery, Returns } from '../docs/route-schema.util';
import { attachmentDisposition, FilePreviewQuerySchema, mayShowInline, wantsAttachment } from './file-preview.dto';
import { ToolFilePreviewService } from './tool-file-preview.service';

/**
 * Dify's signed tool file links (`GET /files/tools/{file_id}.{extension}?timestamp&nonce&sign[&as_attachment=true]`),
 * the `url` of the files a tool node puts in its `files` output. The link is the credential, until it expires.
 */
@Controller('files/tools')
export class ToolFilePreviewController {
  constructor(private readonly previews: ToolFilePreviewService) {}

  @Get(':fileName')
  @Returns(null)
  async preview(
    @Param('fileName') fileName: string,
    @ParsedQuery(FilePreviewQuerySchema) query: z.infer<typeof FilePreviewQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.previews.open(fileName, query);
    res.setHeader('content-type', file.mimeType);
    res.setHeader('content-length', String(file.bytes.length));
    if (wantsAttachment(query.as_attachment) || !mayShowInline(file.mimeType)) {
      res.setHeader('content-disposition', attachmentDisposition(file.name));
    }
    // Whatever the file is, it runs nothing in the gateway's origin.
    res.setHeader('content-security-policy', "default-src 'none'; sandbox");
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'private, no-store');
    res.status(200).end(file.bytes);
  }
}
