import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { currentContext, sanitizeCorrelationId } from './request-context';
import { REDACTED_PATHS } from './redaction';

export interface LoggingOptions {
  service: string;
  instanceId: string;
  level: string;
  pretty: boolean;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** JSON logs with the service name and the correlation id of the work in progress; HTTP request logs included. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service, instance: options.instanceId },
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            transport: options.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            mixin: () => {
              const ctx = currentContext();
              return ctx ? { correlationId: ctx.correlationId, ...(ctx.workspaceId ? { workspaceId: ctx.workspaceId } : {}) } : {};
            },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              // The context middleware may have assigned the id already; both read the same header.
              const id = (req as IncomingMessage & { id?: string }).id ?? sanitizeCorrelationId(req.headers[CORRELATION_HEADER]) ?? randomUUID();
              res.setHeader(CORRELATION_HEADER, id);
              return id;
            },
            customProps: (req: IncomingMessage) => ({ correlationId: (req as IncomingMessage & { id?: string }).id }),
            // Probes and scrapes would drown the request log.
            autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|ready|metrics)(\/|$|\?)/.test(req.url ?? '') },
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: req.url, id: req.id }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}
