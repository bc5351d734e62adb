import { StartInputsResult, StartVariable } from './start-inputs.types';
import { validateStartInputs } from './start-inputs.util';

const UPLOAD_ID = '0b6a3c2e-2b1f-4f47-9d7e-5b0b0a8d9c11';

function values(result: StartInputsResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.problems)}`);
  return result.values;
}

function problems(result: StartInputsResult): Array<{ variable: string; message: string }> {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.values)}`);
  return result.problems;
}

function one(variable: StartVariable, input: unknown): StartInputsResult {
  return validateStartInputs([variable], input === undefined ? {} : { [variable.variable]: input });
}

describe('validateStartInputs', () => {
  describe('required and default', () => {
    const name: StartVariable = { variable: 'name', label: 'Your name', type: 'text-input', required: true };

    it('reports a missing required input with Dify’s message', () => {
      expect(problems(one(name, undefined))).toEqual([{ variable: 'name', message: 'name is required in input form' }]);
      expect(problems(one(name, null))).toEqual([{ variable: 'name', message: 'name is required in input form' }]);
    });

    it('accepts an empty string for a required text input, as Dify does', () => {
      expect(values(one(name, ''))).toEqual({ name: '' });
    });

    it('applies the default to a missing optional input and still validates it', () => {
      expect(values(one({ variable: 'n', label: 'N', type: 'number', default: '7' }, undefined))).toEqual({ n: 7 });
      expect(problems(one({ variable: 's', label: 'S', type: 'select', options: ['a'], default: 'b' }, undefined))).toEqual([
        { variable: 's', message: "s in input form must be one of the following: ['a']" },
      ]);
    });

    it('gives null for a missing optional input without default', () => {
      expect(values(one({ variable: 'opt', label: 'Opt', type: 'paragraph' }, undefined))).toEqual({ opt: null });
    });

    it('drops undeclared inputs and tolerates missing inputs objects', () => {
      expect(values(validateStartInputs([{ variable: 'a', label: 'A', type: 'text-input' }], { a: 'x', extra: 1 }))).toEqual({ a: 'x' });
      expect(values(validateStartInputs([{ variable: 'a', label: 'A', type: 'text-input' }], null))).toEqual({ a: null });
    });

    it('reports every problem, not only the first', () => {
      const result = validateStartInputs(
        [
          { variable: 'a', label: 'A', type: 'text-input', required: true },
          { variable: 'b', label: 'B', type: 'number' },
        ],
        { b: 'abc' },
      );
      expect(problems(result)).toEqual([
        { variable: 'a', message: 'a is required in input form' },
        { variable: 'b', message: 'b in input form must be a valid number' },
      ]);
    });
  });

  describe('text-input and paragraph', () => {
    const short: StartVariable = { variable: 'title', label: 'Title', type: 'text-input', max_length: 5 };

    it('accepts strings up to max_length, counting code points', () => {
      expect(values(one(short, 'abcde'))).toEqual({ title: 'abcde' });
      expect(values(one(short, '😀😀😀😀😀'))).toEqual({ title: '😀😀😀😀😀' });
    });

    it('rejects longer strings', () => {
      expect(problems(one(short, 'abcdef'))).toEqual([
        { variable: 'title', message: 'title in input form must be less than 5 characters' },
      ]);
      expect(problems(one({ ...short, type: 'paragraph' }, 'abcdef'))).toEqual([
        { variable: 'title', message: 'title in input form must be less than 5 characters' },
      ]);
    });

    it('rejects non-strings', () => {
      expect(problems(one(short, 12))).toEqual([
        { variable: 'title', message: "(type 'text-input') title in input form must be a string" },
      ]);
      expect(problems(one({ ...short, type: 'paragraph' }, { a: 1 }))).toEqual([
        { variable: 'title', message: "(type 'paragraph') title in input form must be a string" },
      ]);
    });

    it('strips NUL characters', () => {
      expect(values(one({ variable: 't', label: 'T', type: 'paragraph' }, 'a\0b'))).toEqual({ t: 'ab' });
    });
  });

  describe('select', () => {
    const color: StartVariable = { variable: 'color', label: 'Color', type: 'select', options: ['red', "it's"] };

    it('accepts one of the options', () => {
      expect(values(one(color, 'red'))).toEqual({ color: 'red' });
    });

    it('rejects other values with the options in Python list form', () => {
      expect(problems(one(color, 'blue'))).toEqual([
        { variable: 'color', message: `color in input form must be one of the following: ['red', "it's"]` },
      ]);
    });

    it('rejects non-strings before checking options', () => {
      expect(problems(one(color, 1))).toEqual([{ variable: 'color', message: "(type 'select') color in input form must be a string" }]);
    });
  });

  describe('number', () => {
    const age: StartVariable = { variable: 'age', label: 'Age', type: 'number' };

    it('keeps numbers and converts numeric strings', () => {
      expect(values(one(age, 3.5))).toEqual({ age: 3.5 });
      expect(values(one(age, '42'))).toEqual({ age: 42 });
      expect(values(one(age, ' -7 '))).toEqual({ age: -7 });
      expect(values(one(age, '1.25'))).toEqual({ age: 1.25 });
    });

    it('turns a blank string into null', () => {
      expect(values(one(age, '  '))).toEqual({ age: null });
    });

    it('rejects text that is not a number, as Python int()/float() would', () => {
      for (const bad of ['abc', '1e3', '1.2.3', 'nan', true, { n: 1 }]) {
        expect(problems(one(age, bad))).toEqual([{ variable: 'age', message: 'age in input form must be a valid number' }]);
      }
    });
  });

  describe('checkbox', () => {
    const agree: StartVariable = { variable: 'agree', label: 'Agree', type: 'checkbox' };

    it('keeps booleans and converts Dify’s words and 0/1', () => {
      expect(values(one(agree, true))).toEqual({ agree: true });
      expect(values(one(agree, ' Yes '))).toEqual({ agree: true });
      expect(values(one(agree, 'on'))).toEqual({ agree: true });
      expect(values(one(agree, '0'))).toEqual({ agree: false });
      expect(values(one(agree, 'OFF'))).toEqual({ agree: false });
      expect(values(one(agree, 1))).toEqual({ agree: true });
      expect(values(one(agree, 0))).toEqual({ agree: false });
    });

    it('rejects anything else', () => {
      expect(problems(one(agree, 'maybe'))).toEqual([{ variable: 'agree', message: 'agree in input form must be a boolean' }]);
      expect(problems(one(agree, 2))).toEqual([{ variable: 'agree', message: 'agree in input form must be a boolean' }]);
    });
  });

  describe('json_object', () => {
    const payload: StartVariable = { variable: 'payload', label: 'Payload', type: 'json_object', json_schema: '{"type":"object"}' };

    it('accepts objects and ignores json_schema', () => {
      expect(values(one(payload, { a: [1] }))).toEqual({ payload: { a: [1] } });
    });

    it('rejects non-objects with Dify’s message', () => {
      expect(problems(one(payload, '{"a":1}'))).toEqual([{ variable: 'payload', message: 'payload in input form must be a dict' }]);
      expect(problems(one(payload, [1]))).toEqual([{ variable: 'payload', message: 'payload in input form must be a dict' }]);
    });

    it('treats empty values as unset', () => {
      expect(values(one(payload, ''))).toEqual({ payload: null });
      expect(values(one(payload, {}))).toEqual({ payload: null });
    });
  });

  describe('file', () => {
    const doc: StartVariable = {
      variable: 'doc',
      label: 'Document',
      type: 'file',
      allowed_file_upload_methods: ['local_file', 'remote_url'],
    };

    it('accepts an uploaded file or a remote url', () => {
      const local = { transfer_method: 'local_file', upload_file_id: UPLOAD_ID, type: 'document' };
      const remote = { transfer_method: 'remote_url', url: 'https://x/y.pdf', type: 'document' };
      expect(values(one(doc, local))).toEqual({ doc: local });
      expect(values(one(doc, remote))).toEqual({ doc: remote });
    });

    it('rejects values that are not file mappings', () => {
      expect(problems(one(doc, 'file.pdf'))).toEqual([{ variable: 'doc', message: 'doc in input form must be a file' }]);
      expect(problems(one(doc, [{ transfer_method: 'local_file' }]))).toEqual([
        { variable: 'doc', message: 'doc in input form must be a file' },
      ]);
    });

    it('rejects incomplete mappings with file_factory’s messages', () => {
      expect(problems(one(doc, { upload_file_id: UPLOAD_ID }))).toEqual([
        { variable: 'doc', message: 'transfer_method is required in file mapping' },
      ]);
      expect(problems(one(doc, { transfer_method: 'fax' }))).toEqual([
        { variable: 'doc', message: "No matching enum found for value 'fax'" },
      ]);
      expect(problems(one(doc, { transfer_method: 'local_file' }))).toEqual([{ variable: 'doc', message: 'Invalid upload file id' }]);
      expect(problems(one(doc, { transfer_method: 'local_file', upload_file_id: 'nope' }))).toEqual([
        { variable: 'doc', message: 'Invalid upload file id format' },
      ]);
      expect(problems(one(doc, { transfer_method: 'remote_url' }))).toEqual([{ variable: 'doc', message: 'Invalid file url' }]);
    });

    it('enforces allowed upload methods and file types', () => {
      const onlyLocal: StartVariable = { ...doc, allowed_file_upload_methods: ['local_file'], allowed_file_types: ['document'] };
      expect(problems(one(onlyLocal, { transfer_method: 'remote_url', url: 'https://x/y.pdf', type: 'document' }))).toEqual([
        { variable: 'doc', message: 'File validation failed for file: https://x/y.pdf' },
      ]);
      expect(
        problems(one(onlyLocal, { transfer_method: 'local_file', upload_file_id: UPLOAD_ID, type: 'image', filename: 'a.png' })),
      ).toEqual([{ variable: 'doc', message: 'File validation failed for file: a.png' }]);
      expect(values(one(onlyLocal, { transfer_method: 'local_file', upload_file_id: UPLOAD_ID, type: 'custom' }))).toEqual({
        doc: { transfer_method: 'local_file', upload_file_id: UPLOAD_ID, type: 'custom' },
      });
    });

    it('treats an empty string as unset for an optional file but not a required one', () => {
      expect(values(one(doc, ''))).toEqual({ doc: null });
      expect(problems(one({ ...doc, required: true }, ''))).toEqual([{ variable: 'doc', message: 'doc in input form must be a file' }]);
    });
  });

  describe('file-list', () => {
    const docs: StartVariable = { variable: 'docs', label: 'Documents', type: 'file-list', max_length: 2 };
    const a = { transfer_method: 'local_file', upload_file_id: UPLOAD_ID };
    const b = { transfer_method: 'remote_url', url: 'https://x/b.txt' };

    it('accepts a list of file mappings, including an empty list', () => {
      expect(values(one(docs, [a, b]))).toEqual({ docs: [a, b] });
      expect(values(one(docs, []))).toEqual({ docs: [] });
    });

    it('drops entries without a transfer method or a url, as Dify does', () => {
      expect(values(one(docs, [a, { upload_file_id: UPLOAD_ID }]))).toEqual({ docs: [a] });
      expect(values(one(docs, [{ transfer_method: 'remote_url' }, b]))).toEqual({ docs: [b] });
    });

    it('rejects non-lists, lists of non-objects, too many files and bad entries', () => {
      expect(problems(one(docs, a))).toEqual([{ variable: 'docs', message: 'docs in input form must be a list of files' }]);
      expect(problems(one(docs, ['x']))).toEqual([{ variable: 'docs', message: 'docs in input form must be a list of files' }]);
      expect(problems(one(docs, [a, b, a]))).toEqual([{ variable: 'docs', message: 'docs in input form must be less than 2 files' }]);
      expect(problems(one(docs, [{ transfer_method: 'local_file', upload_file_id: 'bad' }]))).toEqual([
        { variable: 'docs', message: 'Invalid upload file id format' },
      ]);
    });
  });

  it('passes external_data_tool values through', () => {
    expect(values(one({ variable: 'ext', label: 'Ext', type: 'external_data_tool' }, { any: 'thing' }))).toEqual({ ext: { any: 'thing' } });
  });
});
