import { mcpStoredTools, mcpToolParameters, mcpToolSpec } from './mcp-tool-spec.util';

describe('MCP tool specs from JSON Schema', () => {
  it("maps each top-level property to an llm parameter with Dify's types", () => {
    const parameters = mcpToolParameters({
      properties: {
        count: { description: 'How many', type: 'integer' },
        flag: { type: 'boolean' },
        ratio: { type: 'number' },
        name: { description: 'Who', type: 'string' },
        tags: { items: { type: 'string' }, type: 'array' },
        where: { properties: { city: { type: 'string' } }, type: 'object' },
        plain: {},
      },
      required: ['name', 'tags'],
      type: 'object',
    });
    expect(parameters.map((p) => [p.name, p.type, p.required, p.form])).toEqual([
      ['count', 'number', false, 'llm'],
      ['flag', 'boolean', false, 'llm'],
      ['ratio', 'number', false, 'llm'],
      ['name', 'string', true, 'llm'],
      ['tags', 'array', true, 'llm'],
      ['where', 'object', false, 'llm'],
      ['plain', 'string', false, 'llm'],
    ]);
    expect(parameters[0]?.description).toBe('How many');
    expect(parameters[4]?.inputSchema).toEqual({ items: { type: 'string' }, type: 'array' });
  });

  it('reads type lists and anyOf/oneOf past null, and unknown types as strings', () => {
    const parameters = mcpToolParameters({
      properties: {
        a: { type: ['integer', 'null'] },
        b: { type: ['null', 'boolean'] },
        c: { anyOf: [{ type: 'null' }, { items: {}, type: 'array' }] },
        d: { oneOf: [{ type: 'object' }] },
        e: { type: 'null' },
        f: { enum: ['x', 'y'] },
        g: { type: 'date-time' },
      },
      type: 'object',
    });
    expect(Object.fromEntries(parameters.map((p) => [p.name, p.type]))).toEqual({
      a: 'number',
      b: 'boolean',
      c: 'array',
      d: 'object',
      e: 'string',
      f: 'string',
      g: 'string',
    });
    expect(parameters.find((p) => p.name === 'f')?.inputSchema).toEqual({ enum: ['x', 'y'] });
  });

  it('has no parameters for a schema without properties or of another type than object', () => {
    expect(mcpToolParameters({ type: 'object' })).toEqual([]);
    expect(mcpToolParameters({ properties: { a: { type: 'string' } }, type: 'array' })).toEqual([]);
    expect(mcpToolParameters({})).toEqual([]);
    // Only names listed as strings make a parameter required.
    expect(mcpToolParameters({ properties: { a: {} }, required: [1, 'a'] })[0]?.required).toBe(true);
  });

  it('builds the spec of a stored tool and skips stored entries that are not tools', () => {
    const stored = mcpStoredTools([
      {
        description: 'Echo it',
        inputSchema: { properties: { text: { type: 'string' } }, required: ['text'], type: 'object' },
        name: 'echo',
      },
      { name: '' },
      'junk',
      { name: 'bare' },
    ]);
    expect(stored.map((t) => t.name)).toEqual(['echo', 'bare']);
    expect(mcpToolSpec(stored[0]!)).toEqual({
      description: 'Echo it',
      name: 'echo',
      parameters: [{ description: '', form: 'llm', inputSchema: { type: 'string' }, name: 'text', required: true, type: 'string' }],
    });
    expect(mcpToolSpec(stored[1]!)).toEqual({ description: '', name: 'bare', parameters: [] });
    expect(mcpStoredTools(undefined)).toEqual([]);
  });
});
