import { ResponseContract } from './response-contract';

const json = (schema: Record<string, unknown>) => ({ content: { 'application/json': { schema } } });

describe('ResponseContract', () => {
  const contract = ResponseContract.fromDocument({
    paths: {
      '/v1/datasets/tags': { get: { responses: { '200': json({ items: { type: 'string' }, type: 'array' }) } } },
      '/v1/datasets/{id}': {
        get: {
          responses: {
            '200': json({
              properties: { id: { type: 'string' }, name: { nullable: true, type: 'string' } },
              required: ['id', 'name'],
              type: 'object',
            }),
          },
        },
      },
      '/v1/files/{path}': { get: { responses: { '200': json({ type: 'object' }) } } },
      '/v1/datasets/{id}/documents': { get: { responses: { '200': json({ type: 'array' }) } } },
    },
  });
  const check = (method: string, path: string, status: number, body: unknown, type = 'application/json; charset=utf-8') =>
    contract.violation(method, `http://gateway${path}`, status, type, body);

  it('accepts an answer its route documents', () => {
    expect(check('GET', '/v1/datasets/4e1c', 200, { id: '4e1c', name: null })).toBeNull();
    expect(check('GET', '/v1/datasets/tags', 200, ['a'])).toBeNull();
  });

  it('refuses a body the schema does not allow, naming the field', () => {
    expect(check('GET', '/v1/datasets/4e1c', 200, { id: 7, name: 'x' })).toMatch(/\/id must be string/);
    expect(check('GET', '/v1/datasets/4e1c', 200, { id: 'x' })).toMatch(/must have required property 'name'/);
  });

  it('refuses an undocumented status or route', () => {
    expect(check('GET', '/v1/datasets/4e1c', 201, { id: 'x', name: 'y' })).toMatch(/answered 201 .* documents 200/);
    expect(check('POST', '/v1/datasets/4e1c', 200, {})).toMatch(/no such operation/);
  });

  it('prefers a literal path over a template and lets a trailing parameter span segments', () => {
    expect(check('GET', '/v1/datasets/tags', 200, { id: 'tags', name: 'x' })).toMatch(/must be array/);
    expect(check('GET', '/v1/files/a/b/c', 200, {})).toBeNull();
  });

  it('reads a parameter as one segment before it tries a wildcard', () => {
    // `/v1/datasets/{id}` could swallow the path as a wildcard; the route that matches segment by segment wins.
    expect(check('GET', '/v1/datasets/4e1c/documents', 200, [])).toBeNull();
    expect(check('GET', '/v1/datasets/4e1c/documents', 200, { id: 'x', name: 'y' })).toMatch(/must be array/);
  });

  it('leaves errors, streams and empty answers alone', () => {
    expect(check('GET', '/v1/datasets/4e1c', 404, { code: 'not_found' })).toBeNull();
    expect(check('GET', '/v1/datasets/4e1c', 200, 'data: {}', 'text/event-stream')).toBeNull();
  });
});
