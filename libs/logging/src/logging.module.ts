import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeTraceIds } from '@weft/tracing';
import { currentContext, sanitizeCorrelationId } from './request-context';
import { loggableUrl, REDACTING_FORMATTERS } from './redaction';

export interface LoggingOptions {
  service: string;
  instanceId: string;
  level: string;
  pretty: boolean;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** Routes of probes and metric scrapes, which get no request log. */
const PROBE_ROUTES = ['health', 'health/details', 'ready', 'metrics'];

/** JSON logs with the service name and the correlation id of the work in progress; HTTP request logs included. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          // Probes and scrapes would drown the request log, and skipping the request logger entirely
          // (not just its line) keeps them cheap: a liveness probe costs no logger at all.
          exclude: PROBE_ROUTES.map((path) => ({ method: RequestMethod.ALL, path })),
          pinoHttp: {
            level: options.level,
            base: { service: options.service, instance: options.instanceId },
            formatters: REDACTING_FORMATTERS,
            transport: options.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            mixin: () => {
              const ctx = currentContext();
              // With tracing on, the active span's ids, so a log line leads to its trace (and back).
              const ids = activeTraceIds();
              return ctx
                ? { correlationId: ctx.correlationId, ...(ctx.workspaceId ? { workspaceId: ctx.workspaceId } : {}), ...ids }
                : (ids ?? {});
            },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              // The context middleware may have assigned the id already; both read the same header.
              const id =
                (req as IncomingMessage & { id?: string }).id ?? sanitizeCorrelationId(req.headers[CORRELATION_HEADER]) ?? randomUUID();
              res.setHeader(CORRELATION_HEADER, id);
              return id;
            },
            customProps: (req: IncomingMessage) => ({ correlationId: (req as IncomingMessage & { id?: string }).id }),
            serializers: {
              // Query values are secrets (invitation, export and erasure tokens) or personal (end-user ids) more often than not.
              req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: loggableUrl(req.url), id: req.id }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}
