import { deleteTool, insertTool, parseTool, pythonJsonDumps, replaceTool } from './json-process.tools';

const textOf = (messages: { type: string; text?: string }[]): string => messages.map((m) => m.text ?? '').join('');
const DOC = JSON.stringify({
  store: {
    books: [
      { title: 'Émile', price: 8 },
      { title: 'Dune', price: 12 },
    ],
    owner: 'ana',
  },
});

describe('json_process tools', () => {
  it('writes JSON as Python json.dumps does, escaping non-ASCII unless asked not to', () => {
    expect(pythonJsonDumps({ a: [1, 'é'] }, true)).toBe('{"a": [1, "\\u00e9"]}');
    expect(pythonJsonDumps({ a: [1, 'é'] }, false)).toBe('{"a": [1, "é"]}');
  });

  it('parse answers one match as itself, several as a list, none as empty', () => {
    expect(textOf(parseTool({ content: DOC, json_filter: '$.store.owner' }))).toBe('ana');
    expect(textOf(parseTool({ content: DOC, json_filter: '$.store.books[*].price' }))).toBe('[8, 12]');
    expect(textOf(parseTool({ content: DOC, ensure_ascii: false, json_filter: '$.store.books[0]' }))).toBe(
      '{"title": "Émile", "price": 8}',
    );
    expect(textOf(parseTool({ content: DOC, json_filter: '$.nothing' }))).toBe('');
    expect(textOf(parseTool({ content: '', json_filter: '$' }))).toBe('Invalid parameter content');
  });

  it('parse never evaluates script in a filter', () => {
    const answer = textOf(
      parseTool({ content: DOC, json_filter: '$.store.books[?(@.constructor.constructor("return process")().exit())]' }),
    );
    expect(answer).not.toBe('');
    expect(answer).toMatch(/eval|prevented|disabled/i);
  });

  it('insert appends to lists, merges objects, replaces scalars and creates paths', () => {
    expect(textOf(insertTool({ content: '{"a": [1]}', new_value: '2', query: '$.a', value_decode: true }))).toBe('{"a": [1, 2]}');
    expect(textOf(insertTool({ content: '{"a": [1, 3]}', index: 1, new_value: '2', query: '$.a', value_decode: true }))).toBe(
      '{"a": [1, 2, 3]}',
    );
    expect(textOf(insertTool({ content: '{"a": {"x": 1}}', new_value: '{"y": 2}', query: '$.a', value_decode: true }))).toBe(
      '{"a": {"x": 1, "y": 2}}',
    );
    expect(textOf(insertTool({ content: '{"a": {"x": 1}}', new_value: 'v', query: '$.a' }))).toBe('Cannot insert non-dict value into dict');
    expect(textOf(insertTool({ content: '{"a": 1}', create_path: true, new_value: 'v', query: '$.b.c' }))).toBe(
      '{"a": 1, "b": {"c": "v"}}',
    );
    expect(textOf(insertTool({ content: '{"a": 1}', new_value: '{bad', query: '$.a', value_decode: true }))).toBe(
      'Cannot decode new value to json object',
    );
  });

  it('replace changes patterns, keys or whole values', () => {
    expect(
      textOf(replaceTool({ content: '{"s": "a-b-a"}', query: '$.s', replace_model: 'pattern', replace_pattern: 'a', replace_value: 'z' })),
    ).toBe('{"s": "z-b-z"}');
    expect(textOf(replaceTool({ content: '{"old": 1, "k": 2}', query: '$.old', replace_model: 'key', replace_value: 'new' }))).toBe(
      '{"k": 2, "new": 1}',
    );
    expect(
      textOf(replaceTool({ content: '{"v": 1}', query: '$.v', replace_model: 'value', replace_value: '[1,2]', value_decode: true })),
    ).toBe('{"v": [1, 2]}');
    expect(textOf(replaceTool({ content: '{"v": 1}', query: '$.v', replace_model: '', replace_value: 'x' }))).toBe(
      'Invalid parameter replace_model',
    );
  });

  it('delete removes keys and list items, with or without the leading $.', () => {
    expect(textOf(deleteTool({ content: DOC, query: 'store.owner' }))).toBe(
      '{"store": {"books": [{"title": "\\u00c9mile", "price": 8}, {"title": "Dune", "price": 12}]}}',
    );
    expect(textOf(deleteTool({ content: '{"l": [1, 2, 1]}', query: '$.l[2]' }))).toBe('{"l": [2, 1]}');
    expect(textOf(deleteTool({ content: 'not json', query: 'a' }))).toMatch(/^Failed to delete JSON content: /);
  });
});
