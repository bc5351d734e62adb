import type { GuardedResponse } from '@weft/outbound-http';
import type { ApiToolBundle } from '@weft/workflow';
import { ToolInvokeError, ToolRuntimeError } from '../tool-runtime.types';
import { apiToolMessages, bodyPropertyValue, buildApiToolRequest } from './api-tool-request.util';

const NONE = { auth_type: 'none' };

/** `GET /pets/{petId}` with a query, a header and a cookie parameter, as the gateway's parser stores it. */
const SHOW_PET: ApiToolBundle = {
  method: 'get',
  openapi: {
    operationId: 'showPet',
    parameters: [
      { in: 'path', name: 'petId', required: true, schema: { type: 'string' } },
      { in: 'query', name: 'fields', schema: { type: 'array' } },
      { in: 'query', name: 'limit', schema: { default: 20, type: 'integer' } },
      { in: 'query', name: 'q', schema: { type: 'string' } },
      { in: 'header', name: 'X-Trace', schema: { type: 'string' } },
      { in: 'cookie', name: 'session', schema: { type: 'string' } },
    ],
  },
  operation_id: 'showPet',
  parameters: [
    { description: '', form: 'llm', name: 'petId', required: true, type: 'string' },
    { description: '', form: 'llm', name: 'fields', required: false, type: 'array' },
    { default: 20, description: '', form: 'llm', name: 'limit', required: false, type: 'number' },
    { description: '', form: 'llm', name: 'q', required: false, type: 'string' },
    { description: '', form: 'llm', name: 'X-Trace', required: false, type: 'string' },
    { description: '', form: 'llm', name: 'session', required: false, type: 'string' },
  ],
  server_url: 'https://api.pets.example/v1/pets/{petId}',
  summary: 'One pet',
};

/** `POST /pets` with a JSON body. */
function addPet(contentType = 'application/json'): ApiToolBundle {
  return {
    method: 'post',
    openapi: {
      operationId: 'addPet',
      parameters: [],
      requestBody: {
        content: {
          [contentType]: {
            schema: {
              properties: {
                age: { type: 'integer' },
                meta: { type: 'object' },
                name: { type: 'string' },
                price: { type: 'number' },
                size: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
                status: { default: 'available', type: 'string' },
                vaccinated: { type: 'boolean' },
              },
              required: ['name'],
              type: 'object',
            },
          },
        },
      },
    },
    operation_id: 'addPet',
    parameters: [{ description: '', form: 'llm', name: 'name', required: true, type: 'string' }],
    server_url: 'https://api.pets.example/v1/pets',
    summary: null,
  };
}

function invokeError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ToolInvokeError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('buildApiToolRequest: parameters', () => {
  it('places path, query, header and cookie parameters, percent-encoding path values and filling defaults', () => {
    const request = buildApiToolRequest(
      SHOW_PET,
      { 'X-Trace': 't-1', fields: ['name', 'age'], petId: 'a/b c', q: 'x&y', session: 's=1;2' },
      NONE,
    );
    expect(request.method).toBe('GET');
    expect(request.url).toBe('https://api.pets.example/v1/pets/a%2Fb%20c?fields=name&fields=age&limit=20&q=x%26y');
    expect(request.headers).toEqual({ Cookie: 'session=s%3D1%3B2', 'X-Trace': 't-1' });
    expect(request.body).toBeUndefined();
  });

  it('leaves out optional parameters that were not given and have no default', () => {
    const request = buildApiToolRequest(SHOW_PET, { petId: '7' }, NONE);
    expect(request.url).toBe('https://api.pets.example/v1/pets/7?limit=20');
    expect(request.headers).toEqual({});
  });

  it('refuses a missing required parameter, a path value that climbs out of the path and a header value with a line break', () => {
    expect(invokeError(() => buildApiToolRequest(SHOW_PET, {}, NONE))).toBe('Missing required parameter petId');
    expect(invokeError(() => buildApiToolRequest(SHOW_PET, { petId: '..' }, NONE))).toBe('Path parameter petId cannot be ".."');
    expect(invokeError(() => buildApiToolRequest(SHOW_PET, { 'X-Trace': 'a\r\nX-Evil: 1', petId: '1' }, NONE))).toMatch(
      /header X-Trace contains a line break/,
    );
  });

  it('refuses methods Dify cannot send', () => {
    expect(invokeError(() => buildApiToolRequest({ ...SHOW_PET, method: 'trace' }, { petId: '1' }, NONE))).toBe(
      'Invalid http method trace',
    );
  });
});

describe('buildApiToolRequest: credentials', () => {
  it('sends the API key in the configured header with Dify prefixes', () => {
    const bearer = buildApiToolRequest(
      SHOW_PET,
      { petId: '1' },
      { api_key_header: 'X-Api-Key', api_key_header_prefix: 'bearer', api_key_value: 'k-123', auth_type: 'api_key' },
    );
    expect(bearer.headers['X-Api-Key']).toBe('Bearer k-123');
    expect(bearer.credentialHeaders).toEqual(['X-Api-Key']);
    const basic = buildApiToolRequest(
      SHOW_PET,
      { petId: '1' },
      { api_key_header_prefix: 'basic', api_key_value: 'dTpw', auth_type: 'api_key_header' },
    );
    expect(basic.headers.Authorization).toBe('Basic dTpw');
    const custom = buildApiToolRequest(
      SHOW_PET,
      { petId: '1' },
      { api_key_header_prefix: 'custom', api_key_value: 'Token abc', auth_type: 'api_key' },
    );
    expect(custom.headers.Authorization).toBe('Token abc');
  });

  it('sends the API key as a query parameter for api_key_query, and nothing for none', () => {
    const query = buildApiToolRequest(
      SHOW_PET,
      { petId: '1' },
      { api_key_query_param: 'appid', api_key_value: 'k 9', auth_type: 'api_key_query' },
    );
    expect(query.url).toBe('https://api.pets.example/v1/pets/1?appid=k+9&limit=20');
    expect(query.credentialHeaders).toEqual([]);
    expect(buildApiToolRequest(SHOW_PET, { petId: '1' }, NONE).credentialHeaders).toEqual([]);
  });

  it('fails like Dify when the credentials lack auth_type or the key', () => {
    expect(() => buildApiToolRequest(SHOW_PET, { petId: '1' }, {})).toThrow(new ToolRuntimeError('Missing auth_type'));
    let error: unknown;
    try {
      buildApiToolRequest(SHOW_PET, { petId: '1' }, { auth_type: 'api_key' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ToolRuntimeError);
    expect(error).toMatchObject({ message: 'Missing api_key_value', name: 'ToolProviderCredentialValidationError' });
  });
});

describe('buildApiToolRequest: request bodies', () => {
  it('sends the body properties as JSON, typed from their schemas, with defaults for the ones left out', () => {
    const request = buildApiToolRequest(
      addPet(),
      { age: '3', meta: '{"colour":"black"}', name: 'Rex', price: '9.5', size: '4', vaccinated: 'false' },
      NONE,
    );
    expect(request.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(request.body!)).toEqual({
      age: 3,
      meta: { colour: 'black' },
      name: 'Rex',
      price: 9.5,
      size: 4,
      status: 'available',
      vaccinated: false,
    });
  });

  it("refuses a body without a required property, naming the operation as Dify's ApiTool does", () => {
    const bundle = { ...addPet(), parameters: [] };
    expect(invokeError(() => buildApiToolRequest(bundle, { age: 2 }, NONE))).toBe('Missing required parameter name in operation addPet');
  });

  it('encodes form bodies and multipart bodies', () => {
    const form = buildApiToolRequest(addPet('application/x-www-form-urlencoded'), { age: 2, name: 'Rex & co' }, NONE);
    expect(form.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(form.body).toBe('age=2&name=Rex+%26+co&status=available');
    const multipart = buildApiToolRequest(addPet('multipart/form-data'), { name: 'Rex' }, NONE);
    const boundary = /boundary=(.+)$/.exec(multipart.headers['Content-Type'])![1];
    expect(multipart.body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nRex\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="status"\r\n\r\navailable\r\n--${boundary}--\r\n`,
    );
  });

  it('refuses a file parameter it cannot upload yet', () => {
    const bundle = addPet('multipart/form-data');
    const schema = bundle.openapi.requestBody!.content['multipart/form-data']!.schema as { properties: Record<string, unknown> };
    schema.properties.photo = { format: 'binary', type: 'string' };
    expect(invokeError(() => buildApiToolRequest(bundle, { name: 'Rex', photo: 'x' }, NONE))).toMatch(/Parameter photo is a file upload/);
  });

  it('converts values by type, and sends a value that does not convert as given', () => {
    expect(bodyPropertyValue({ type: 'integer' }, '12')).toBe(12);
    expect(bodyPropertyValue({ type: 'integer' }, 'twelve')).toBe('twelve');
    expect(bodyPropertyValue({ type: 'number' }, '1.25')).toBe(1.25);
    expect(bodyPropertyValue({ type: 'string' }, 5)).toBe('5');
    expect(bodyPropertyValue({ type: 'boolean' }, 'true')).toBe(true);
    expect(bodyPropertyValue({ type: 'array' }, '[1,2]')).toEqual([1, 2]);
    expect(bodyPropertyValue({ type: 'array' }, 'not json')).toBe('not json');
    expect(bodyPropertyValue({ type: 'null' }, 'x')).toBeNull();
    expect(bodyPropertyValue({ anyOf: [{ type: 'boolean' }, { type: 'string' }] }, 'maybe')).toBe('maybe');
    expect(bodyPropertyValue({ anyOf: [{ type: 'boolean' }, { type: 'string' }] }, '1')).toBe(true);
    expect(bodyPropertyValue({ description: 'untyped' }, { a: 1 })).toEqual({ a: 1 });
  });
});

function response(status: number, body: string, headers: Record<string, string> = {}): GuardedResponse {
  return { body: Buffer.from(body), headers, status, url: 'https://api.pets.example/' };
}

describe('apiToolMessages', () => {
  it("fails with Dify's message for status 400 and up", () => {
    expect(invokeError(() => apiToolMessages(response(404, 'no such pet')))).toBe('Request failed with status code 404 and no such pet');
  });

  it('answers a JSON object as a JSON message and the raw text, other JSON and text as text', () => {
    expect(apiToolMessages(response(200, '{"id":7}', { 'content-type': 'application/json; charset=utf-8' }))).toEqual([
      { json: { id: 7 }, type: 'json' },
      { text: '{"id":7}', type: 'text' },
    ]);
    expect(apiToolMessages(response(200, '[1,2]', { 'content-type': 'application/json' }))).toEqual([{ text: '[1,2]', type: 'text' }]);
    expect(apiToolMessages(response(200, '{"id":7}', { 'content-type': 'text/plain' }))).toEqual([{ text: '{"id":7}', type: 'text' }]);
    expect(apiToolMessages(response(201, ''))).toEqual([
      { text: 'Empty response from the tool, please check your parameters and try again.', type: 'text' },
    ]);
  });

  it('says it cannot return a file the API sends as an attachment', () => {
    expect(
      invokeError(() =>
        apiToolMessages(response(200, 'PDF', { 'content-disposition': 'attachment; filename=a.pdf', 'content-type': 'application/pdf' })),
      ),
    ).toBe("The API answered a file (application/pdf, 3 bytes); Weft's custom API tools do not return files yet");
  });
});
