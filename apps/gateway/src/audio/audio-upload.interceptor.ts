import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { DomainError, FileErrors } from '@weft/contracts';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { from, Observable, switchMap } from 'rxjs';
import { AudioErrors } from './audio.exception';
import { AUDIO_SETTINGS, type AudioSettings } from './audio.service';

const BYTES_PER_MB = 1024 * 1024;

/**
 * Reads the recording of `POST /v1/audio-to-text` into memory after the guards (a caller without a valid
 * key never makes the gateway buffer a body), stopping at AUDIO_FILE_SIZE_LIMIT while it streams in: one
 * file and a few small fields. A request that is not multipart passes through with no files.
 */
@Injectable()
export class AudioUploadInterceptor implements NestInterceptor {
  private readonly parse: RequestHandler;

  constructor(@Inject(AUDIO_SETTINGS) private readonly settings: AudioSettings) {
    this.parse = multer({
      limits: { fieldNameSize: 100, fieldSize: 64 * 1024, fields: 10, fileSize: settings.maxMb * BYTES_PER_MB, files: 1, parts: 20 },
      storage: multer.memoryStorage(),
    }).any();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const parsed = new Promise<void>((resolve, reject) => {
      const done: NextFunction = (error?: unknown) => (error ? reject(this.toError(error)) : resolve());
      this.parse(req, res, done);
    });
    return from(parsed).pipe(switchMap(() => next.handle()));
  }

  private toError(error: unknown): DomainError {
    if (error instanceof MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') return AudioErrors.tooLarge(this.settings.maxMb);
      if (error.code === 'LIMIT_FILE_COUNT') return FileErrors.tooMany();
      return FileErrors.formRefused(error.message, error.field);
    }
    // busboy's parse errors ("Unexpected end of form", "Multipart: Boundary not found") and a client that hung up.
    return FileErrors.formUnreadable(error instanceof Error ? error.message : String(error));
  }
}
