import { checkValueType, isVariableValueType } from './value-type.util';
import { VariableValueType } from './variable.types';

const file = { transfer_method: 'local_file', upload_file_id: '0b6a3c2e-2b1f-4f47-9d7e-5b0b0a8d9c11', type: 'document' };

describe('checkValueType', () => {
  const accepted: Array<[VariableValueType, unknown]> = [
    ['string', ''],
    ['secret', 'sk-1'],
    ['number', 1.5],
    ['number', -3],
    ['integer', 42],
    ['boolean', false],
    ['object', {}],
    ['object', { a: [1] }],
    ['file', file],
    ['file', { dify_model_identity: '__dify__file__', transfer_method: 'tool_file' }],
    ['array[string]', []],
    ['array[string]', ['a', 'b']],
    ['array[number]', [1, 2.5]],
    ['array[object]', [{}, { a: 1 }]],
    ['array[boolean]', [true, false]],
    ['array[file]', [file]],
  ];
  it.each(accepted)('accepts %s %j', (type, value) => {
    expect(checkValueType(type, value)).toBeNull();
  });

  const rejected: Array<[VariableValueType, unknown, string]> = [
    ['string', 1, 'expected string but got number'],
    ['secret', null, 'expected secret but got null'],
    ['number', '1', 'expected number but got string'],
    ['number', true, 'expected number but got boolean'],
    ['number', Number.NaN, 'expected number but got NaN'],
    ['integer', 1.5, 'expected integer but got non-integer number 1.5'],
    ['integer', '2', 'expected integer but got string'],
    ['boolean', 'true', 'expected boolean but got string'],
    ['object', [], 'expected object but got array'],
    ['object', null, 'expected object but got null'],
    ['file', { upload_file_id: 'x' }, 'expected file but got object'],
    ['file', { transfer_method: 'carrier_pigeon' }, 'expected file but got object'],
    ['array[string]', 'a', 'expected array[string] but got string'],
    ['array[string]', ['a', 2], 'expected array[string] but element at index 1 is number'],
    ['array[number]', [1, null], 'expected array[number] but element at index 1 is null'],
    ['array[object]', [{}, []], 'expected array[object] but element at index 1 is array'],
    ['array[boolean]', [true, 0], 'expected array[boolean] but element at index 1 is number'],
    ['array[file]', [file, { a: 1 }], 'expected array[file] but element at index 1 is object'],
    ['string', undefined, 'expected string but got undefined'],
  ];
  it.each(rejected)('rejects %s %j', (type, value, message) => {
    expect(checkValueType(type, value)).toBe(message);
  });

  it('reports an unknown type instead of accepting the value', () => {
    expect(checkValueType('array[any]' as VariableValueType, [])).toBe('unknown variable type "array[any]"');
  });
});

describe('isVariableValueType', () => {
  it('knows exactly Dify’s declared types', () => {
    expect(isVariableValueType('array[file]')).toBe(true);
    expect(isVariableValueType('secret')).toBe(true);
    expect(isVariableValueType('float')).toBe(false);
    expect(isVariableValueType(3)).toBe(false);
  });
});
