import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { DomainError, FileErrors } from '@weft/contracts';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { from, Observable, switchMap } from 'rxjs';
import { FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';

const BYTES_PER_MB = 1024 * 1024;

/**
 * Reads a multipart upload into memory, after the guards, so a caller without a valid key never makes the
 * gateway buffer a body. Limits are enforced while the body streams in: one file of at most the configured
 * size, and a few small form fields. A request that is not multipart passes through with no files.
 */
@Injectable()
export class UploadFileInterceptor implements NestInterceptor {
  private readonly parse: RequestHandler;

  constructor(@Inject(FILE_UPLOAD_SETTINGS) settings: FileUploadSettings) {
    this.parse = multer({
      // Filenames from browsers and fetch are raw UTF-8; busboy's default would read them as Latin-1.
      defParamCharset: 'utf8',
      limits: { fieldNameSize: 100, fieldSize: 64 * 1024, fields: 10, fileSize: settings.maxBytes * BYTES_PER_MB, files: 1, parts: 20 },
      // Keep "dir/name.txt" as sent, so the service can refuse it as Dify does instead of silently taking the base name.
      preservePath: true,
      storage: multer.memoryStorage(),
    }).any();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const parsed = new Promise<void>((resolve, reject) => {
      const done: NextFunction = (error?: unknown) => (error ? reject(toUploadError(error)) : resolve());
      this.parse(req, res, done);
    });
    return from(parsed).pipe(switchMap(() => next.handle()));
  }
}

function toUploadError(error: unknown): DomainError {
  if (error instanceof MulterError) {
    switch (error.code) {
      // Dify answers an oversized file with an empty message.
      case 'LIMIT_FILE_SIZE':
        return FileErrors.tooLarge();
      case 'LIMIT_FILE_COUNT':
        return FileErrors.tooMany();
      default:
        return FileErrors.formRefused(error.message, error.field);
    }
  }
  // busboy's parse errors ("Unexpected end of form", "Multipart: Boundary not found") and a client that hung up.
  const message = error instanceof Error ? error.message : String(error);
  return FileErrors.formUnreadable(message);
}
