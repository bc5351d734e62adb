import { VariableValueType } from '../variables';
import { AssignerError, AssignerOperation } from './assigner.types';
import { applyAssignerOperation, isAssignerInputTypeSupported, isAssignerOperationSupported } from './assigner.util';

const file = { transfer_method: 'local_file', upload_file_id: '0b6a3c2e-2b1f-4f47-9d7e-5b0b0a8d9c11', type: 'image' };

function errorOf(fn: () => unknown): AssignerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AssignerError) return error;
    throw error;
  }
  throw new Error('expected an AssignerError');
}

describe('applyAssignerOperation', () => {
  describe('over-write and set', () => {
    it('replace the value with one of the same type', () => {
      expect(applyAssignerOperation({ type: 'string', value: 'old' }, 'over-write', 'new')).toBe('new');
      expect(applyAssignerOperation({ type: 'number', value: 1 }, 'over-write', 2.5)).toBe(2.5);
      expect(applyAssignerOperation({ type: 'boolean', value: true }, 'set', false)).toBe(false);
      expect(applyAssignerOperation({ type: 'object', value: {} }, 'set', { a: 1 })).toEqual({ a: 1 });
      expect(applyAssignerOperation({ type: 'array[string]', value: ['a'] }, 'over-write', ['x', 'y'])).toEqual(['x', 'y']);
      expect(applyAssignerOperation({ type: 'file', value: null }, 'over-write', file)).toBe(file);
      expect(applyAssignerOperation({ type: 'array[file]', value: [] }, 'over-write', [file])).toEqual([file]);
    });

    it('parse a JSON string when setting an object', () => {
      expect(applyAssignerOperation({ type: 'object', value: {} }, 'set', '{"k": [1, 2]}')).toEqual({ k: [1, 2] });
      expect(errorOf(() => applyAssignerOperation({ type: 'object', value: {} }, 'set', '{oops'))).toMatchObject({
        code: 'invalid-input-value',
        message: 'Invalid input value {oops',
      });
      expect(errorOf(() => applyAssignerOperation({ type: 'object', value: {} }, 'set', '[1]')).code).toBe('invalid-input-value');
    });

    it('reject values of another type', () => {
      expect(errorOf(() => applyAssignerOperation({ type: 'string', value: '' }, 'over-write', 1))).toMatchObject({
        code: 'invalid-input-value',
        message: 'Invalid input value 1',
      });
      expect(errorOf(() => applyAssignerOperation({ type: 'number', value: 0 }, 'set', '3')).message).toBe('Invalid input value 3');
      expect(errorOf(() => applyAssignerOperation({ type: 'array[number]', value: [] }, 'over-write', [1, 'x'])).code).toBe(
        'invalid-input-value',
      );
      expect(errorOf(() => applyAssignerOperation({ type: 'boolean', value: false }, 'over-write', null)).message).toBe(
        'Invalid input value None',
      );
    });

    it('are not offered for array and file types where Dify has no set', () => {
      expect(errorOf(() => applyAssignerOperation({ type: 'array[string]', value: [] }, 'set', ['a']))).toMatchObject({
        code: 'operation-not-supported',
        message: 'Operation set is not supported for type array[string]',
      });
      expect(errorOf(() => applyAssignerOperation({ type: 'file', value: null }, 'set', file)).code).toBe('operation-not-supported');
    });
  });

  describe('clear', () => {
    const zero: Array<[VariableValueType, unknown, unknown]> = [
      ['string', 'abc', ''],
      ['secret', 'sk', ''],
      ['number', 7, 0],
      ['integer', 7, 0],
      ['boolean', true, false],
      ['object', { a: 1 }, {}],
      ['array[string]', ['a'], []],
      ['array[number]', [1], []],
      ['array[object]', [{}], []],
      ['array[boolean]', [true], []],
      ['array[file]', [file], []],
      ['file', file, null],
    ];
    it.each(zero)('resets %s to its zero value', (type, value, expected) => {
      expect(applyAssignerOperation({ type, value }, 'clear', undefined)).toEqual(expected);
    });
  });

  describe('append and extend', () => {
    it('add elements of the array’s element type', () => {
      expect(applyAssignerOperation({ type: 'array[string]', value: ['a'] }, 'append', 'b')).toEqual(['a', 'b']);
      expect(applyAssignerOperation({ type: 'array[number]', value: [1] }, 'extend', [2, 3])).toEqual([1, 2, 3]);
      expect(applyAssignerOperation({ type: 'array[object]', value: [] }, 'append', { id: 1 })).toEqual([{ id: 1 }]);
      expect(applyAssignerOperation({ type: 'array[boolean]', value: [true] }, 'extend', [false])).toEqual([true, false]);
      expect(applyAssignerOperation({ type: 'array[file]', value: [] }, 'append', file)).toEqual([file]);
    });

    it('treat a null current value as an empty array', () => {
      expect(applyAssignerOperation({ type: 'array[string]', value: null }, 'append', 'a')).toEqual(['a']);
    });

    it('do not mutate the current array', () => {
      const current = ['a'];
      applyAssignerOperation({ type: 'array[string]', value: current }, 'append', 'b');
      expect(current).toEqual(['a']);
    });

    it('reject wrong element types, non-list extends and non-array variables', () => {
      expect(errorOf(() => applyAssignerOperation({ type: 'array[string]', value: [] }, 'append', 1)).code).toBe('invalid-input-value');
      expect(errorOf(() => applyAssignerOperation({ type: 'array[number]', value: [] }, 'extend', 1)).code).toBe('invalid-input-value');
      expect(errorOf(() => applyAssignerOperation({ type: 'array[number]', value: [] }, 'extend', [true])).code).toBe(
        'invalid-input-value',
      );
      expect(errorOf(() => applyAssignerOperation({ type: 'string', value: 'a' }, 'append', 'b'))).toMatchObject({
        code: 'operation-not-supported',
        message: 'Operation append is not supported for type string',
      });
      expect(errorOf(() => applyAssignerOperation({ type: 'object', value: {} }, 'extend', [{}])).code).toBe('operation-not-supported');
      expect(errorOf(() => applyAssignerOperation({ type: 'array[string]', value: 'oops' }, 'append', 'a')).code).toBe(
        'invalid-current-value',
      );
    });
  });

  describe('remove-first and remove-last', () => {
    it('drop one element from either end', () => {
      expect(applyAssignerOperation({ type: 'array[number]', value: [1, 2, 3] }, 'remove-first', undefined)).toEqual([2, 3]);
      expect(applyAssignerOperation({ type: 'array[number]', value: [1, 2, 3] }, 'remove-last', undefined)).toEqual([1, 2]);
    });

    it('leave an empty array empty', () => {
      expect(applyAssignerOperation({ type: 'array[string]', value: [] }, 'remove-first', undefined)).toEqual([]);
      expect(applyAssignerOperation({ type: 'array[string]', value: [] }, 'remove-last', undefined)).toEqual([]);
    });

    it('are not supported on scalars', () => {
      expect(errorOf(() => applyAssignerOperation({ type: 'number', value: 1 }, 'remove-last', undefined)).code).toBe(
        'operation-not-supported',
      );
    });
  });

  describe('arithmetic', () => {
    it('applies +=, -=, *= and /= to numbers', () => {
      expect(applyAssignerOperation({ type: 'number', value: 10 }, '+=', 2.5)).toBe(12.5);
      expect(applyAssignerOperation({ type: 'number', value: 10 }, '-=', 4)).toBe(6);
      expect(applyAssignerOperation({ type: 'integer', value: 10 }, '*=', 3)).toBe(30);
      expect(applyAssignerOperation({ type: 'integer', value: 10 }, '/=', 4)).toBe(2.5);
    });

    it('rejects division by zero, non-numbers and non-number variables', () => {
      expect(errorOf(() => applyAssignerOperation({ type: 'number', value: 10 }, '/=', 0))).toMatchObject({
        code: 'invalid-input-value',
        message: 'Invalid input value 0',
      });
      expect(errorOf(() => applyAssignerOperation({ type: 'number', value: 10 }, '+=', '1')).code).toBe('invalid-input-value');
      expect(errorOf(() => applyAssignerOperation({ type: 'string', value: 'a' }, '+=', 1)).message).toBe(
        'Operation += is not supported for type string',
      );
      expect(errorOf(() => applyAssignerOperation({ type: 'array[number]', value: [1] }, '*=', 2)).code).toBe('operation-not-supported');
      expect(errorOf(() => applyAssignerOperation({ type: 'number', value: null }, '+=', 1)).code).toBe('invalid-current-value');
    });
  });

  describe('input types', () => {
    it('skip the update when a variable input is null, as Dify does', () => {
      expect(applyAssignerOperation({ type: 'string', value: 'keep' }, 'over-write', null, { inputType: 'variable' })).toBe('keep');
    });

    it('refuse a variable input for set and arithmetic', () => {
      expect(errorOf(() => applyAssignerOperation({ type: 'number', value: 1 }, '+=', 1, { inputType: 'variable' }))).toMatchObject({
        code: 'input-type-not-supported',
        message: 'Input type variable is not supported for operation +=',
      });
      expect(errorOf(() => applyAssignerOperation({ type: 'string', value: '' }, 'set', 'x', { inputType: 'variable' })).code).toBe(
        'input-type-not-supported',
      );
    });

    it('refuse a constant input for array operations', () => {
      expect(
        errorOf(() => applyAssignerOperation({ type: 'array[string]', value: [] }, 'append', 'x', { inputType: 'constant' })).code,
      ).toBe('input-type-not-supported');
      expect(applyAssignerOperation({ type: 'number', value: 1 }, '+=', 1, { inputType: 'constant' })).toBe(2);
      expect(applyAssignerOperation({ type: 'array[string]', value: ['a'] }, 'append', 'b', { inputType: 'variable' })).toEqual(['a', 'b']);
    });

    it('do not matter for operations without a value', () => {
      expect(applyAssignerOperation({ type: 'array[string]', value: ['a'] }, 'clear', null, { inputType: 'constant' })).toEqual([]);
    });
  });

  it('rejects an unknown operation with a typed error', () => {
    expect(errorOf(() => applyAssignerOperation({ type: 'string', value: '' }, 'append-all' as AssignerOperation, 'x'))).toMatchObject({
      code: 'unknown-operation',
      message: 'Unknown assigner operation: append-all',
    });
  });
});

describe('isAssignerOperationSupported / isAssignerInputTypeSupported', () => {
  it('match Dify’s tables', () => {
    expect(isAssignerOperationSupported('boolean', 'set')).toBe(true);
    expect(isAssignerOperationSupported('array[object]', 'remove-first')).toBe(true);
    expect(isAssignerOperationSupported('object', '-=')).toBe(false);
    expect(isAssignerInputTypeSupported('number', '/=', 'constant')).toBe(true);
    expect(isAssignerInputTypeSupported('object', 'over-write', 'constant')).toBe(true);
    expect(isAssignerInputTypeSupported('array[number]', 'extend', 'constant')).toBe(false);
    expect(isAssignerInputTypeSupported('array[number]', 'extend', 'variable')).toBe(true);
  });
});
