import { Body, Controller, Headers, Post, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { Returns } from '../docs/route-schema.util';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import { FileUploadService } from './file-upload.service';
import { FileUploadResponseSchema, readUploadForm, type IncomingFile, type UploadFileResponse } from './upload-file.dto';
import { UploadFileInterceptor } from './upload-file.interceptor';

/** Dify's `POST /v1/files/upload`: one file as multipart form data, answered with 201 and its record. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class FileUploadController {
  constructor(private readonly uploads: FileUploadService) {}

  /** The body is a multipart form, not JSON: its fields are read by `readUploadForm` (Dify's rules and messages), not by `@ParsedBody`. */
  @Post('files/upload')
  @UseInterceptors(UploadFileInterceptor)
  @Returns(FileUploadResponseSchema)
  upload(
    @CurrentApp() ctx: AppKeyContext,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<UploadFileResponse> {
    const incoming = (files ?? []).map((f): IncomingFile => ({
      buffer: f.buffer,
      fieldName: f.fieldname,
      mimeType: f.mimetype,
      originalName: f.originalname || undefined,
    }));
    return this.uploads.upload(ctx, { files: incoming, ...readUploadForm(body, /^multipart\//i.test(contentType ?? '')) });
  }
}
