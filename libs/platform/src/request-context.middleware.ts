import { Injectable, NestMiddleware } from '@nestjs/common';
import { CORRELATION_HEADER, runWithContext, sanitizeCorrelationId } from '@weft/logging';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

/** Gives each HTTP request its correlation id (the caller's, if plain, or a new one) for logs and NATS hops. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: Request & { id?: string }, res: Response, next: NextFunction): void {
    const id = req.id ?? sanitizeCorrelationId(req.headers[CORRELATION_HEADER]) ?? randomUUID();
    req.id = id;
    res.setHeader(CORRELATION_HEADER, id);
    runWithContext({ correlationId: id }, next);
  }
}
