import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@weft/contracts';
import { currentCorrelationId, reportError } from '@weft/logging';
import type { Request, Response } from 'express';

/** HTTP status for each error code that crosses the bus. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_param: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_many_requests: 429,
  internal_error: 500,
  unavailable: 503,
  timeout: 504,
  app_unavailable: 400,
  not_workflow_app: 400,
  not_chat_app: 400,
  not_completion_app: 400,
  provider_not_initialize: 400,
  provider_quota_exceeded: 400,
  model_currently_not_support: 400,
  completion_request_error: 400,
  conversation_completed: 400,
  end_user_not_found: 404,
  dataset_name_duplicate: 409,
  dataset_not_initialized: 400,
  archived_document_immutable: 403,
  document_indexing: 400,
  no_file_uploaded: 400,
  too_many_files: 400,
  filename_not_exists_error: 400,
  file_too_large: 413,
  unsupported_file_type: 415,
  email_code_error: 400,
  invalid_or_expired_token: 400,
  password_mismatch: 400,
  email_already_in_use: 400,
  email_register_limit: 429,
  email_password_reset_limit: 429,
  email_register_rate_limit_exceeded: 429,
  password_reset_rate_limit_exceeded: 429,
  invitation_account_mismatch: 403,
  no_audio_uploaded: 400,
  audio_too_large: 413,
  unsupported_audio_type: 415,
  provider_not_support_speech_to_text: 400,
  file_not_found: 404,
};

/** Dify's error body: `{code, message, status}`. */
export interface DifyErrorBody {
  code: string;
  message: string;
  status: number;
  params?: string;
}

function snakeCase(name: string): string {
  return name
    .replace(/Exception$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * Postgres could not be reached, or ended the session (a restart or failover: SQLSTATE class 57 "operator
 * intervention", 08 "connection exception"), found on the error or on TypeORM's `driverError`. Such a request
 * failed because a dependency was briefly away, not because of a bug: the client gets 503 and may retry.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  for (const candidate of [error, (error as { driverError?: unknown } | null)?.driverError]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (/^(57P0[1-3]|08\w{3})$/.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET')) return true;
    if (typeof message === 'string' && /^Connection terminated( unexpectedly| due to connection timeout)?$/.test(message)) return true;
  }
  return false;
}

/** Maps anything thrown to Dify's error shape; the one place where error codes become HTTP statuses. */
export function toHttpError(error: unknown, correlationId: string): DifyErrorBody {
  if (error instanceof DomainError) {
    const status = HTTP_STATUS_BY_CODE[error.code];
    const code = error.code === 'internal_error' ? 'internal_server_error' : error.code;
    return { code, message: error.message, status };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const given = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const message = Array.isArray(given.message)
      ? given.message.join('; ')
      : typeof given.message === 'string'
        ? given.message
        : error.message;
    const code =
      typeof given.code === 'string'
        ? given.code
        : snakeCase(error.constructor.name === 'HttpException' ? 'BadRequest' : error.constructor.name);
    return { code, message, status, ...(typeof given.params === 'string' ? { params: given.params } : {}) };
  }
  if (isDatabaseUnavailable(error))
    return {
      code: 'unavailable',
      message: `The database is not reachable right now; try again shortly (correlation id ${correlationId})`,
      status: 503,
    };
  return { code: 'internal_server_error', message: `Internal server error (correlation id ${correlationId})`, status: 500 };
}

/** Every HTTP error, from any service, leaves in Dify's `{code, message, status}` shape. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const correlationId = req.id ?? currentCorrelationId();
    const body = toHttpError(error, correlationId);
    if (body.status >= 500) {
      this.logger.error({ err: error, correlationId }, `Request "${req.method} ${req.originalUrl}" failed`);
      if (!(error instanceof DomainError)) reportError(error, correlationId);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="api"');
    res.status(body.status).json(body);
  }
}
