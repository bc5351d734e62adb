import { Controller, Get, Logger, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Returns } from '../docs/route-schema.util';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import { streamBody } from '../service-api/binary-response.util';
import { UploadPreviewService } from './upload-preview.service';

/** Dify's `GET /v1/files/{file_id}/preview`: an uploaded file's bytes, inline or as a download. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class UploadPreviewController {
  private readonly logger = new Logger(UploadPreviewController.name);

  constructor(private readonly previews: UploadPreviewService) {}

  // `as_attachment` is read by the service (Dify's boolean spellings); `user` is taken and ignored, as the
  // file's owner is the app, not the end user asking.
  @Get('files/:fileId/preview')
  @ApiQuery({ name: 'as_attachment', required: false, schema: { default: false, type: 'boolean' } })
  @ApiQuery({ name: 'user', required: false, schema: { type: 'string' } })
  @ApiResponse({
    content: { 'application/octet-stream': { schema: { format: 'binary', type: 'string' } } },
    description:
      'The file: inline as its type for images, audio, video, PDF and plain text; otherwise, or with as_attachment=true, ' +
      'a download (application/octet-stream, Content-Disposition: attachment)',
    status: 200,
  })
  @Returns(null)
  async preview(
    @CurrentApp() ctx: AppKeyContext,
    @Param('fileId') fileId: string,
    @Query('as_attachment') asAttachment: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const { body, headers } = await this.previews.preview(ctx, fileId, asAttachment);
    res.status(200).set(headers);
    await streamBody(res, body, this.logger, `file "${fileId}"`);
  }
}
