import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService, type AuditInput } from '@weft/audit';
import { DomainError } from '@weft/contracts';
import { EndUserPseudonyms } from '@weft/security';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import type { DatasetKeyContext } from '../knowledge/dataset-key.guard';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { offerStartAudit, startAuditHandoff } from './started-run.util';

/** A request after the gateway's guards: whichever of them ran left who is calling. */
export type AuditedRequest = Request & { appKey?: AppKeyContext; consoleUser?: ConsoleUser; datasetKey?: DatasetKeyContext; id?: string };

/** What an audited route's handler saw and answered. */
export interface AuditedCall {
  body: Record<string, unknown>;
  params: Record<string, string>;
  /** What an end user's `user` string is recorded as. */
  pseudonyms: EndUserPseudonyms;
  req: AuditedRequest;
  result: unknown;
}

export interface AuditedOptions {
  action: string;
  /** Extra, non-secret facts about the action (secret-looking keys are redacted anyway). */
  details?: (call: AuditedCall) => Record<string, unknown>;
  /** Whether an answer the handler returned still means the action failed (an import answered `status: failed`). */
  failed?: (result: unknown) => boolean;
  /**
   * The event goes with the run the handler starts: it is built when the run is dispatched and the orchestrator
   * stores it with the run row and sends it (`run.started`; see started-run.util.ts). The interceptor records it
   * only when the orchestrator did not take it, under the same id.
   */
  handedOnWithRun?: boolean;
  /** The resource id: the name of a route parameter, or read from the call. */
  id?: string | ((call: AuditedCall) => unknown);
  resource: string;
}

const AUDITED = 'weft:audited';

/**
 * Records an audit event for a route when its handler finishes: success, or failure with the error code.
 * The actor, workspace, client address, user agent and correlation id come from the request, so every
 * audited route records them the same way.
 */
export const Audited = (options: AuditedOptions) => applyDecorators(SetMetadata(AUDITED, options), UseInterceptors(AuditInterceptor));

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly pseudonyms: EndUserPseudonyms,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<AuditedOptions | undefined>(AUDITED, context.getHandler());
    if (!options) return next.handle();
    const req = context.switchToHttp().getRequest<AuditedRequest>();
    if (options.handedOnWithRun) offerStartAudit(() => this.audit.prepare(this.input(options, req, undefined, null)));
    return next.handle().pipe(
      tap({
        next: (result) => this.record(options, req, result, null),
        error: (error: unknown) => this.record(options, req, undefined, error),
      }),
    );
  }

  private record(options: AuditedOptions, req: AuditedRequest, result: unknown, error: unknown): void {
    if (options.handedOnWithRun) {
      const handoff = startAuditHandoff();
      if (handoff?.stored) return;
      if (handoff?.event) {
        // Sent with a start that was not answered: the orchestrator may have stored it after all; one id, one record.
        const { id, occurredAt } = handoff.event;
        this.audit.recordPrepared({ ...this.audit.prepare(this.input(options, req, result, error)), id, occurredAt });
        return;
      }
    }
    this.audit.record(this.input(options, req, result, error));
  }

  private input(options: AuditedOptions, req: AuditedRequest, result: unknown, error: unknown): AuditInput {
    const body = isObject(req.body) ? req.body : {};
    const call: AuditedCall = { body, params: (req.params ?? {}) as Record<string, string>, pseudonyms: this.pseudonyms, req, result };
    const idValue = typeof options.id === 'string' ? call.params[options.id] : options.id?.(call);
    let details: Record<string, unknown> = {};
    try {
      details = options.details?.(call) ?? {};
    } catch {
      // Details are best effort: a missing field in an unusual answer must not lose the event.
    }
    const failed = error !== null || (options.failed?.(result) ?? false);
    const input: AuditInput = {
      action: options.action,
      ...actorOf(req),
      correlationId: req.id ?? null,
      details: { ...details, ...(error !== null ? { error: error instanceof DomainError ? error.code : 'internal_error' } : {}) },
      ip: req.ip ?? req.socket?.remoteAddress ?? null,
      outcome: failed ? 'failure' : 'success',
      resource: { id: typeof idValue === 'string' && idValue !== '' ? idValue.slice(0, 200) : null, type: options.resource },
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    };
    return input;
  }
}

function actorOf(req: AuditedRequest): Pick<AuditInput, 'actor' | 'workspaceId'> {
  if (req.consoleUser) return { actor: { id: req.consoleUser.accountId, type: 'account' }, workspaceId: req.consoleUser.workspaceId };
  if (req.appKey) return { actor: { id: req.appKey.keyId, type: 'api_key' }, workspaceId: req.appKey.app.workspaceId };
  if (req.datasetKey) return { actor: { id: req.datasetKey.keyId, type: 'api_key' }, workspaceId: req.datasetKey.workspaceId };
  return { actor: { id: null, type: 'system' }, workspaceId: null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `path` (`a.b`) from an answer, or null. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return null;
    current = current[key];
  }
  return current ?? null;
}
