import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError, ERROR_CODES } from '@weft/contracts';
import { HTTP_STATUS_BY_CODE, toHttpError } from './http-error.filter';

describe('toHttpError', () => {
  it.each(ERROR_CODES.map((code) => [code]))('maps %s to its status in Dify shape', (code) => {
    const body = toHttpError(new DomainError(code, 'msg'), 'c');
    expect(body.status).toBe(HTTP_STATUS_BY_CODE[code]);
    expect(body.code).toBe(code === 'internal_error' ? 'internal_server_error' : code);
    expect(body.message).toBe('msg');
  });

  it('turns Nest exceptions into snake_case codes as Dify does', () => {
    expect(toHttpError(new NotFoundException('Cannot GET /x'), 'c')).toEqual({ code: 'not_found', message: 'Cannot GET /x', status: 404 });
    expect(toHttpError(new PayloadTooLargeException(), 'c').code).toBe('payload_too_large');
    expect(toHttpError(new BadRequestException({ code: 'invalid_param', message: 'bad', params: 'user' }), 'c')).toEqual({
      code: 'invalid_param',
      message: 'bad',
      status: 400,
      params: 'user',
    });
  });

  it('never leaks the text of an unexpected error', () => {
    const body = toHttpError(new TypeError('secret internals'), 'corr-9');
    expect(body).toEqual({ code: 'internal_server_error', message: 'Internal server error (correlation id corr-9)', status: 500 });
  });

  it('answers 503 unavailable, not 500, when Postgres is unreachable or ended the session', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
    const wrapped = Object.assign(new Error('Query failed'), { driverError: shutdown });
    for (const error of [refused, shutdown, starting, wrapped, new Error('Connection terminated unexpectedly')]) {
      expect(toHttpError(error, 'corr-7')).toEqual({
        code: 'unavailable',
        message: 'The database is not reachable right now; try again shortly (correlation id corr-7)',
        status: 503,
      });
    }
    // A query's own error (here a unique violation) stays a 500 that says nothing.
    expect(toHttpError(Object.assign(new Error('duplicate key'), { code: '23505' }), 'c').status).toBe(500);
  });
});
