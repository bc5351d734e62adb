import { stringify } from 'yaml';
import {
  apiParameterType,
  ApiSchemaError,
  fallbackOperationId,
  MAX_API_SCHEMA_BYTES,
  MAX_API_SCHEMA_DEPTH,
  parseApiSchema,
} from './api-tool-schema.util';

/** A small pet shop API, written the way people write OpenAPI 3 documents (refs, path-level parameters, allOf). */
const PETSHOP = {
  components: {
    parameters: {
      Trace: { in: 'header', name: 'X-Trace', schema: { type: 'string' } },
    },
    schemas: {
      Base: { properties: { name: { description: 'The pet name', type: 'string' } }, required: ['name'], type: 'object' },
      NewPet: {
        allOf: [
          { $ref: '#/components/schemas/Base' },
          {
            properties: {
              age: { default: 1, type: 'integer' },
              kind: { enum: ['cat', 'dog'], type: 'string' },
              tags: { items: { type: 'string' }, type: 'array' },
              vaccinated: { type: 'boolean' },
            },
          },
        ],
      },
    },
  },
  info: { description: 'Pets for sale', title: 'Pet shop', version: '1.0.0' },
  openapi: '3.0.3',
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        parameters: [
          { description: 'How many', in: 'query', name: 'limit', schema: { default: 20, type: 'integer' } },
          { in: 'query', name: 'sort', schema: { default: ['name'], type: 'array' } },
          { $ref: '#/components/parameters/Trace' },
        ],
        summary: 'List pets',
      },
      post: {
        description: 'Adds a pet to the shop',
        operationId: 'addPet',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } }, required: true },
        summary: 'Add a pet',
      },
    },
    '/pets/{petId}': {
      delete: { responses: { '204': { description: 'gone' } } },
      get: {
        operationId: 'showPet',
        parameters: [{ in: 'cookie', name: 'session', schema: { type: 'string' } }],
        summary: 'One pet',
      },
      parameters: [{ description: 'The pet id', in: 'path', name: 'petId', required: true, schema: { type: 'string' } }],
    },
  },
  servers: [{ url: 'https://{region}.pets.example/v1/', variables: { region: { default: 'eu' } } }],
};

function bundle(parsed: ReturnType<typeof parseApiSchema>, name: string) {
  const found = parsed.bundles.find((b) => b.operation_id === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}

function refusal(schema: string): string {
  try {
    parseApiSchema(schema);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiSchemaError);
    return (error as Error).message;
  }
  throw new Error('the schema was accepted');
}

describe('parseApiSchema (OpenAPI 3)', () => {
  const parsed = parseApiSchema(stringify(PETSHOP));

  it('makes one tool per operation, named by operationId or by path and method as Dify does', () => {
    expect(parsed.schemaType).toBe('openapi');
    expect(parsed.description).toBe('Pets for sale');
    expect(parsed.bundles.map((b) => [b.method, b.operation_id])).toEqual([
      ['get', 'listPets'],
      ['post', 'addPet'],
      ['get', 'showPet'],
      ['delete', 'petspetId_delete'],
    ]);
  });

  it('builds the URL from servers[0] with its variables filled, and takes the description over the summary', () => {
    expect(bundle(parsed, 'showPet').server_url).toBe('https://eu.pets.example/v1/pets/{petId}');
    expect(bundle(parsed, 'addPet').summary).toBe('Adds a pet to the shop');
    expect(bundle(parsed, 'listPets').summary).toBe('List pets');
    expect(bundle(parsed, 'petspetId_delete').summary).toBeNull();
  });

  it('turns path, query, header and cookie parameters into typed llm parameters, resolving $ref and path-level parameters', () => {
    expect(bundle(parsed, 'listPets').parameters).toEqual([
      { default: 20, description: 'How many', form: 'llm', name: 'limit', required: false, type: 'number' },
      { description: '', form: 'llm', name: 'sort', required: false, type: 'array' },
      { description: '', form: 'llm', name: 'X-Trace', required: false, type: 'string' },
    ]);
    expect(bundle(parsed, 'showPet').parameters.map((p) => [p.name, p.required])).toEqual([
      ['petId', true],
      ['session', false],
    ]);
    expect(bundle(parsed, 'showPet').openapi.parameters.map((p) => p.in)).toEqual(['path', 'cookie']);
    expect(bundle(parsed, 'listPets').openapi.parameters[2]).toMatchObject({ in: 'header', name: 'X-Trace' });
  });

  it('turns the request body properties into parameters, merging allOf and keeping enum values as options', () => {
    const addPet = bundle(parsed, 'addPet');
    expect(addPet.parameters).toEqual([
      { description: 'The pet name', form: 'llm', name: 'name', required: true, type: 'string' },
      { default: 1, description: '', form: 'llm', name: 'age', required: false, type: 'number' },
      { description: '', form: 'llm', name: 'kind', options: ['cat', 'dog'], required: false, type: 'string' },
      { description: '', form: 'llm', name: 'tags', required: false, type: 'array' },
      { description: '', form: 'llm', name: 'vaccinated', required: false, type: 'boolean' },
    ]);
    const schema = addPet.openapi.requestBody?.content['application/json']?.schema as Record<string, unknown>;
    expect(schema.required).toEqual(['name']);
    expect(Object.keys(schema.properties as object)).toEqual(['name', 'age', 'kind', 'tags', 'vaccinated']);
  });

  it('reads the same document as JSON', () => {
    expect(parseApiSchema(JSON.stringify(PETSHOP)).bundles.map((b) => b.operation_id)).toEqual(parsed.bundles.map((b) => b.operation_id));
  });

  it('keeps only the first content type of a request body, the one the call sends', () => {
    const doc = {
      ...PETSHOP,
      paths: {
        '/form': {
          post: {
            operationId: 'form',
            requestBody: {
              content: {
                'application/x-www-form-urlencoded': { schema: { properties: { a: { type: 'string' } }, type: 'object' } },
                'application/json': { schema: { properties: { b: { type: 'string' } }, type: 'object' } },
              },
            },
          },
        },
      },
    };
    const form = parseApiSchema(JSON.stringify(doc)).bundles[0];
    expect(Object.keys(form.openapi.requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(form.parameters.map((p) => p.name)).toEqual(['a']);
  });

  it('warns about duplicated parameters, operations without a summary and operation ids used twice', () => {
    const doc = {
      openapi: '3.0.0',
      paths: {
        '/a': {
          get: {
            operationId: 'same',
            parameters: [
              { in: 'query', name: 'q' },
              { in: 'header', name: 'q' },
            ],
          },
        },
        '/b': { get: { operationId: 'same', summary: 'B' } },
      },
      servers: [{ url: 'https://api.example' }],
    };
    expect(parseApiSchema(JSON.stringify(doc)).warnings).toEqual({
      duplicated_operation_id: 'Operation id same is used more than once; tool nodes call the first.',
      duplicated_parameter: 'Parameter q is duplicated.',
      missing_summary: 'No summary or description found in operation get /a.',
    });
  });

  it('leaves a reference that loops back on itself as a $ref instead of expanding it forever', () => {
    const doc = {
      components: {
        schemas: { Node: { properties: { child: { $ref: '#/components/schemas/Node' }, name: { type: 'string' } }, type: 'object' } },
      },
      openapi: '3.0.0',
      paths: {
        '/tree': {
          post: {
            operationId: 'tree',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
          },
        },
      },
      servers: [{ url: 'https://api.example' }],
    };
    const tree = parseApiSchema(JSON.stringify(doc)).bundles[0];
    const properties = (tree.openapi.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown> })
      .properties;
    expect(properties.child).toEqual({ $ref: '#/components/schemas/Node' });
    expect(tree.parameters.map((p) => [p.name, p.type])).toEqual([
      ['child', 'string'],
      ['name', 'string'],
    ]);
  });
});

describe('parseApiSchema (Swagger 2)', () => {
  it('reads the server from host, basePath and schemes, body and form parameters as the request body', () => {
    const swagger = {
      basePath: '/api',
      definitions: { Order: { properties: { qty: { type: 'integer' }, sku: { type: 'string' } }, required: ['sku'], type: 'object' } },
      host: 'shop.example',
      info: { title: 'Shop', version: '1' },
      paths: {
        '/orders': {
          post: {
            operationId: 'createOrder',
            parameters: [
              { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/Order' } },
              { default: false, in: 'query', name: 'dry', type: 'boolean' },
            ],
            summary: 'Order',
          },
        },
        '/upload': {
          post: {
            consumes: ['multipart/form-data'],
            operationId: 'upload',
            parameters: [
              { in: 'formData', name: 'file', required: true, type: 'file' },
              { in: 'formData', name: 'note', type: 'string' },
            ],
            summary: 'Upload',
          },
        },
      },
      schemes: ['http'],
      swagger: '2.0',
    };
    const parsed = parseApiSchema(stringify(swagger));
    expect(parsed.schemaType).toBe('swagger');
    const order = parsed.bundles[0];
    expect(order.server_url).toBe('http://shop.example/api/orders');
    expect(order.parameters).toEqual([
      { default: false, description: '', form: 'llm', name: 'dry', required: false, type: 'boolean' },
      { description: '', form: 'llm', name: 'qty', required: false, type: 'number' },
      { description: '', form: 'llm', name: 'sku', required: true, type: 'string' },
    ]);
    expect(Object.keys(order.openapi.requestBody!.content)).toEqual(['application/json']);
    expect(order.openapi.parameters).toEqual([
      { default: false, in: 'query', name: 'dry', schema: { default: false, type: 'boolean' }, type: 'boolean' },
    ]);
    const upload = parsed.bundles[1];
    expect(Object.keys(upload.openapi.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(upload.parameters.map((p) => [p.name, p.type, p.required])).toEqual([
      ['file', 'file', true],
      ['note', 'string', false],
    ]);
  });

  it('refuses a Swagger 2 document without a host', () => {
    expect(refusal(JSON.stringify({ info: {}, paths: { '/a': { get: {} } }, swagger: '2.0' }))).toBe(
      'No server found in the swagger yaml.',
    );
  });
});

describe('parseApiSchema refuses what it cannot or must not read', () => {
  const minimal = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      openapi: '3.0.0',
      paths: { '/a': { get: { operationId: 'a' } } },
      servers: [{ url: 'https://api.example' }],
      ...extra,
    });

  it('refuses a schema larger than the limit before reading it', () => {
    const big = minimal({ info: { description: 'x'.repeat(MAX_API_SCHEMA_BYTES) } });
    expect(refusal(big)).toMatch(/^The schema is \d+ bytes; the limit is 524288 bytes/);
  });

  it('never fetches a remote $ref, and says so', () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const remote = minimal({
      paths: {
        '/a': {
          post: {
            operationId: 'a',
            requestBody: { content: { 'application/json': { schema: { $ref: 'http://169.254.169.254/latest/meta-data' } } } },
          },
        },
      },
    });
    expect(refusal(remote)).toMatch(/\$ref "http:\/\/169\.254\.169\.254\/latest\/meta-data" points outside the schema; Weft never fetches/);
    const file = minimal({ paths: { '/a': { get: { operationId: 'a', parameters: [{ $ref: 'common.yaml#/Limit' }] } } } });
    expect(refusal(file)).toMatch(/\$ref "common\.yaml#\/Limit" points outside the schema/);
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('refuses a $ref that points at nothing', () => {
    const dangling = minimal({ paths: { '/a': { get: { operationId: 'a', parameters: [{ $ref: '#/components/parameters/Nope' }] } } } });
    expect(refusal(dangling)).toBe('$ref "#/components/parameters/Nope" points at nothing in the schema');
  });

  it('stops a reference bomb (each schema referring twice to the next) by its expansion budget', () => {
    const schemas: Record<string, unknown> = { S0: { type: 'string' } };
    for (let i = 1; i <= 30; i++) {
      schemas[`S${i}`] = { properties: { a: { $ref: `#/components/schemas/S${i - 1}` }, b: { $ref: `#/components/schemas/S${i - 1}` } } };
    }
    const bomb = minimal({
      components: { schemas },
      paths: {
        '/a': {
          post: { operationId: 'a', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/S30' } } } } },
        },
      },
    });
    expect(refusal(bomb)).toMatch(/grows beyond 100000 values once its \$ref are resolved/);
  });

  it('refuses a YAML alias bomb and a document nested too deeply', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    expect(refusal(lines.join('\n'))).toMatch(/expands more than 100 aliases/);
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < MAX_API_SCHEMA_DEPTH + 5; i++) deep = { items: deep };
    expect(refusal(minimal({ components: { deep } }))).toBe(
      `The schema nests objects and arrays more than ${MAX_API_SCHEMA_DEPTH} levels deep`,
    );
  });

  it('names what is missing or malformed', () => {
    expect(refusal('{"openapi": ')).toMatch(/^Invalid api schema, schema is neither json nor yaml\. json error: .+, yaml error: .+/);
    expect(refusal('- just\n- a list')).toBe('Invalid api schema: the document is not an object');
    expect(refusal('   ')).toBe('The schema is empty');
    expect(refusal(JSON.stringify({ title: 'no' }))).toMatch(/neither an OpenAPI 3 document/);
    expect(refusal(minimal({ servers: [] }))).toBe('No server found in the openapi yaml.');
    expect(refusal(minimal({ servers: [{ url: '/relative' }] }))).toBe(
      'servers[0].url must be an absolute http or https URL, not "/relative"',
    );
    expect(refusal(minimal({ servers: [{ url: 'file:///etc/passwd' }] }))).toBe(
      'servers[0].url must be an http or https URL, not "file:///etc/passwd"',
    );
    expect(refusal(minimal({ paths: {} }))).toBe('No paths found in the openapi yaml.');
    expect(refusal(minimal({ paths: { '/a': { summary: 'nothing' } } }))).toMatch(/has no operations/);
    expect(refusal(minimal({ paths: { '/a': { get: { parameters: [{ in: 'query' }] } } } }))).toBe('A parameter of GET /a has no name');
    expect(refusal(JSON.stringify({ api: { type: 'openapi', url: 'https://x.example/openapi.yaml' }, schema_version: 'v1' }))).toMatch(
      /OpenAI plugin manifest.+Weft does not fetch it/,
    );
  });
});

describe('Dify naming and typing rules', () => {
  it('names an operation without operationId by its path characters and method', () => {
    expect(fallbackOperationId('/pets/{petId}/photos', 'get')).toBe('petspetIdphotos_get');
    expect(fallbackOperationId('/', 'post')).toBe('<root>_post');
  });

  it('maps schema types to tool parameter types', () => {
    expect(apiParameterType({ schema: { type: 'integer' } })).toBe('number');
    expect(apiParameterType({ type: 'number' })).toBe('number');
    expect(apiParameterType({ type: 'boolean' })).toBe('boolean');
    expect(apiParameterType({ format: 'binary', type: 'string' })).toBe('file');
    expect(apiParameterType({ items: { format: 'binary' }, type: 'array' })).toBe('files');
    expect(apiParameterType({ type: 'object' })).toBe('object');
    expect(apiParameterType({ anyOf: [{ type: 'null' }, { type: 'integer' }] })).toBe('number');
    expect(apiParameterType({ schema: { oneOf: [{ type: 'boolean' }] } })).toBe('boolean');
    expect(apiParameterType({ description: 'untyped' })).toBeUndefined();
  });
});
