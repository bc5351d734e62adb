import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, throwError, timeout } from 'rxjs';
import { PROTECTION_SETTINGS, type ProtectionSettings } from './protection.config';
import { ProtectionErrors } from './protection.exception';
import { takesActiveRequestSlot } from './rate-limit.interceptor';

const NO_REQUEST_TIMEOUT = 'weft:no-request-timeout';

/** Exempts a long-lived route (an event stream) from REQUEST_TIMEOUT_MS. */
export const NoRequestTimeout = () => SetMetadata(NO_REQUEST_TIMEOUT, true);

/**
 * Answers 504 (`timeout`, in Dify's error shape) when a route's handler has not answered within
 * REQUEST_TIMEOUT_MS; its late result is dropped. Run routes and event streams are exempt: they end with
 * the workflow's own time limit. The time counts from when the handler starts (after the guards), and
 * the work the handler started is not undone: a client that got 504 may find it done later.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(
    @Inject(PROTECTION_SETTINGS) private readonly settings: ProtectionSettings,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const exempt =
      this.reflector.getAllAndOverride<boolean | undefined>(NO_REQUEST_TIMEOUT, [context.getHandler(), context.getClass()]) === true ||
      takesActiveRequestSlot(this.reflector, context);
    if (exempt) return next.handle();
    const ms = this.settings.requestTimeoutMs;
    return next.handle().pipe(timeout({ first: ms, with: () => throwError(() => ProtectionErrors.timedOut(ms)) }));
  }
}
