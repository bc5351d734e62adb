import { VariablePool } from '../variables';
import { ListFilterCondition, ListOperatorError, ListOperatorNodeConfig } from './list-operator.types';
import { applyListOperator } from './list-operator.util';

const fileA = {
  dify_model_identity: '__dify__file__',
  type: 'document',
  transfer_method: 'local_file',
  related_id: 'r-a',
  filename: 'b-notes.txt',
  extension: '.txt',
  mime_type: 'text/plain',
  size: 300,
};
const fileB = {
  dify_model_identity: '__dify__file__',
  type: 'image',
  transfer_method: 'remote_url',
  remote_url: 'https://x/a.png',
  filename: 'a-photo.png',
  extension: '.png',
  mime_type: 'image/png',
  size: 9000,
};
const fileC = {
  dify_model_identity: '__dify__file__',
  type: 'document',
  transfer_method: 'remote_url',
  remote_url: 'https://x/c.pdf',
  filename: 'c-report.pdf',
  extension: '.pdf',
  mime_type: 'application/pdf',
  size: 1200,
};

function makePool(): VariablePool {
  const pool = new VariablePool();
  pool.setNodeOutputs('src', {
    words: ['banana', 'apple', 'cherry', '', 'apricot'],
    numbers: [5, 1, 10, 3],
    flags: [true, false, true],
    files: [fileA, fileB, fileC],
    people: [
      { name: 'Ada', age: 36 },
      { name: 'Bob', age: 17 },
      { name: 'Cy', age: 52 },
    ],
    empty: [],
    nothing: null,
    text: 'not a list',
    mixed: [1, 'a'],
    prefix: 'ap',
    two: '2',
  });
  return pool;
}

function run(variable: string, config: Omit<ListOperatorNodeConfig, 'variable'>): ReturnType<typeof applyListOperator> {
  return applyListOperator({ variable: ['src', variable], ...config }, makePool());
}

function filter(...conditions: ListFilterCondition[]): Omit<ListOperatorNodeConfig, 'variable'> {
  return { filter_by: { enabled: true, conditions } };
}

function errorOf(fn: () => unknown): ListOperatorError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ListOperatorError) return error;
    throw error;
  }
  throw new Error('expected a ListOperatorError');
}

describe('applyListOperator', () => {
  it('passes the list through with every step disabled', () => {
    expect(run('numbers', {})).toEqual({ result: [5, 1, 10, 3], first_record: 5, last_record: 3 });
  });

  it('yields an empty result with null records for an empty or null input', () => {
    expect(run('empty', filter({ comparison_operator: 'contains', value: 'a' }))).toEqual({
      result: [],
      first_record: null,
      last_record: null,
    });
    expect(run('nothing', {})).toEqual({ result: [], first_record: null, last_record: null });
  });

  describe('filter_by on strings', () => {
    const cases: Array<[ListFilterCondition, string[]]> = [
      [{ comparison_operator: 'contains', value: 'an' }, ['banana']],
      [{ comparison_operator: 'not contains', value: 'a' }, ['cherry', '']],
      [{ comparison_operator: 'start with', value: 'ap' }, ['apple', 'apricot']],
      [{ comparison_operator: 'end with', value: 'y' }, ['cherry']],
      [{ comparison_operator: 'is', value: 'apple' }, ['apple']],
      [{ comparison_operator: 'is not', value: 'apple' }, ['banana', 'cherry', '', 'apricot']],
      [{ comparison_operator: 'empty' }, ['']],
      [{ comparison_operator: 'not empty' }, ['banana', 'apple', 'cherry', 'apricot']],
      [{ comparison_operator: 'in', value: 'apple,cherry' }, ['apple', 'cherry', '']],
      [{ comparison_operator: 'not in', value: 'apple,cherry' }, ['banana', 'apricot']],
      [{ comparison_operator: 'in', value: ['apple', 'banana'] }, ['banana', 'apple']],
      [{ comparison_operator: 'start with', value: '{{#src.prefix#}}' }, ['apple', 'apricot']],
    ];
    it.each(cases)('%j', (condition, expected) => {
      expect(run('words', filter(condition)).result).toEqual(expected);
    });

    it('applies every condition in turn', () => {
      expect(
        run('words', filter({ comparison_operator: 'start with', value: 'a' }, { comparison_operator: 'end with', value: 't' })).result,
      ).toEqual(['apricot']);
    });

    it('rejects number operators and non-string values', () => {
      expect(errorOf(() => run('words', filter({ comparison_operator: '>', value: '1' }))).message).toBe('Invalid condition: >');
      expect(errorOf(() => run('words', filter({ comparison_operator: 'contains', value: true }))).code).toBe('invalid-filter-value');
    });
  });

  describe('filter_by on numbers', () => {
    const cases: Array<[ListFilterCondition, number[]]> = [
      [{ comparison_operator: '=', value: '10' }, [10]],
      [{ comparison_operator: '≠', value: '10' }, [5, 1, 3]],
      [{ comparison_operator: '<', value: '5' }, [1, 3]],
      [{ comparison_operator: '≤', value: '5' }, [5, 1, 3]],
      [{ comparison_operator: '>', value: '3.5' }, [5, 10]],
      [{ comparison_operator: '≥', value: '{{#src.two#}}' }, [5, 10, 3]],
    ];
    it.each(cases)('%j', (condition, expected) => {
      expect(run('numbers', filter(condition)).result).toEqual(expected);
    });

    it('rejects string operators and non-numeric values', () => {
      expect(errorOf(() => run('numbers', filter({ comparison_operator: 'contains', value: '1' }))).code).toBe('invalid-condition');
      expect(errorOf(() => run('numbers', filter({ comparison_operator: '>', value: 'ten' }))).message).toBe(
        "could not convert string to float: 'ten'",
      );
    });
  });

  describe('filter_by on booleans', () => {
    it('keeps matching values for is / is not', () => {
      expect(run('flags', filter({ comparison_operator: 'is', value: true })).result).toEqual([true, true]);
      expect(run('flags', filter({ comparison_operator: 'is not', value: true })).result).toEqual([false]);
      expect(run('flags', filter({ comparison_operator: 'is', value: 'false' })).result).toEqual([false]);
    });

    it('rejects other operators and values', () => {
      expect(errorOf(() => run('flags', filter({ comparison_operator: 'contains', value: true }))).code).toBe('invalid-condition');
      expect(errorOf(() => run('flags', filter({ comparison_operator: 'is', value: 'yes' }))).code).toBe('invalid-filter-value');
    });
  });

  describe('filter_by on files', () => {
    const names = (result: unknown[]): unknown[] => result.map((f) => (f as { filename: string }).filename);

    it('filters by string attributes, type, transfer method and size', () => {
      expect(names(run('files', filter({ key: 'extension', comparison_operator: 'is', value: '.pdf' })).result)).toEqual(['c-report.pdf']);
      expect(names(run('files', filter({ key: 'name', comparison_operator: 'contains', value: 'photo' })).result)).toEqual(['a-photo.png']);
      expect(names(run('files', filter({ key: 'type', comparison_operator: 'in', value: ['document'] })).result)).toEqual([
        'b-notes.txt',
        'c-report.pdf',
      ]);
      expect(names(run('files', filter({ key: 'transfer_method', comparison_operator: 'not in', value: ['remote_url'] })).result)).toEqual([
        'b-notes.txt',
      ]);
      expect(names(run('files', filter({ key: 'size', comparison_operator: '>', value: '1000' })).result)).toEqual([
        'a-photo.png',
        'c-report.pdf',
      ]);
      expect(names(run('files', filter({ key: 'url', comparison_operator: 'end with', value: '.png' })).result)).toEqual(['a-photo.png']);
    });

    it('rejects unknown keys, boolean values and non-membership operators on type', () => {
      expect(errorOf(() => run('files', filter({ key: 'colour', comparison_operator: 'is', value: 'x' }))).message).toBe(
        'Invalid key: colour',
      );
      expect(errorOf(() => run('files', filter({ key: 'name', comparison_operator: 'is', value: true }))).code).toBe(
        'invalid-filter-value',
      );
      expect(errorOf(() => run('files', filter({ key: 'type', comparison_operator: 'is', value: 'image' }))).message).toBe(
        'Invalid condition: is',
      );
    });
  });

  describe('filter_by on objects', () => {
    it('filters by key with number and string operators', () => {
      expect(run('people', filter({ key: 'age', comparison_operator: '≥', value: '18' })).result).toEqual([
        { name: 'Ada', age: 36 },
        { name: 'Cy', age: 52 },
      ]);
      expect(run('people', filter({ key: 'name', comparison_operator: 'start with', value: 'B' })).result).toEqual([
        { name: 'Bob', age: 17 },
      ]);
      expect(run('people', filter({ key: 'email', comparison_operator: 'empty' })).result).toHaveLength(3);
    });

    it('requires a key', () => {
      expect(errorOf(() => run('people', filter({ comparison_operator: 'is', value: 'x' }))).code).toBe('invalid-key');
    });
  });

  describe('order_by', () => {
    it('sorts primitives ascending and descending', () => {
      expect(run('numbers', { order_by: { enabled: true, value: 'asc' } }).result).toEqual([1, 3, 5, 10]);
      expect(run('numbers', { order_by: { enabled: true, value: 'desc' } }).result).toEqual([10, 5, 3, 1]);
      expect(run('words', { order_by: { enabled: true, value: 'asc' } }).result).toEqual(['', 'apple', 'apricot', 'banana', 'cherry']);
      expect(run('flags', { order_by: { enabled: true, value: 'asc' } }).result).toEqual([false, true, true]);
    });

    it('sorts files and objects by key', () => {
      const bySize = run('files', { order_by: { enabled: true, key: 'size', value: 'desc' } });
      expect(bySize.result.map((f) => (f as { size: number }).size)).toEqual([9000, 1200, 300]);
      const byName = run('files', { order_by: { enabled: true, key: 'name', value: 'asc' } });
      expect(byName.first_record).toBe(fileB);
      expect(byName.last_record).toBe(fileC);
      expect(
        run('people', { order_by: { enabled: true, key: 'age', value: 'asc' } }).result.map((p) => (p as { name: string }).name),
      ).toEqual(['Bob', 'Ada', 'Cy']);
      expect(
        run('people', { order_by: { enabled: true, key: 'name', value: 'desc' } }).result.map((p) => (p as { name: string }).name),
      ).toEqual(['Cy', 'Bob', 'Ada']);
    });

    it('keeps equal elements in their original order in both directions', () => {
      const pool = new VariablePool();
      pool.set(
        ['src', 'rows'],
        [
          { k: 1, id: 'a' },
          { k: 0, id: 'b' },
          { k: 1, id: 'c' },
        ],
      );
      const ids = (value: 'asc' | 'desc'): unknown[] =>
        applyListOperator({ variable: ['src', 'rows'], order_by: { enabled: true, key: 'k', value } }, pool).result.map(
          (r) => (r as { id: string }).id,
        );
      expect(ids('asc')).toEqual(['b', 'a', 'c']);
      expect(ids('desc')).toEqual(['a', 'c', 'b']);
    });

    it('rejects an unknown file key', () => {
      expect(errorOf(() => run('files', { order_by: { enabled: true, key: 'colour', value: 'asc' } })).message).toBe('Invalid key: colour');
    });
  });

  describe('limit', () => {
    it('keeps the first `size` elements', () => {
      expect(run('numbers', { limit: { enabled: true, size: 2 } })).toEqual({ result: [5, 1], first_record: 5, last_record: 1 });
      expect(run('numbers', { limit: { enabled: true, size: 0 } })).toEqual({ result: [], first_record: null, last_record: null });
      expect(run('numbers', { limit: { enabled: true, size: 10 } }).result).toEqual([5, 1, 10, 3]);
    });

    it('treats a negative size as no limit', () => {
      expect(run('numbers', { limit: { enabled: true, size: -1 } }).result).toEqual([5, 1, 10, 3]);
    });
  });

  describe('extract_by', () => {
    it('picks the element at a 1-based serial, which may be a template', () => {
      expect(run('numbers', { extract_by: { enabled: true, serial: '3' } })).toEqual({ result: [10], first_record: 10, last_record: 10 });
      expect(run('numbers', { extract_by: { enabled: true, serial: '{{#src.two#}}' } }).result).toEqual([1]);
    });

    it('rejects serials out of range or not integers', () => {
      expect(errorOf(() => run('numbers', { extract_by: { enabled: true, serial: '0' } })).message).toBe(
        'Invalid serial index: must be >= 1, got 0',
      );
      expect(errorOf(() => run('numbers', { extract_by: { enabled: true, serial: '5' } })).message).toBe(
        'Invalid serial index: must be <= 4, got 5',
      );
      expect(errorOf(() => run('numbers', { extract_by: { enabled: true, serial: '1.5' } })).code).toBe('invalid-serial');
    });
  });

  it('runs filter, then extract, then order, then limit', () => {
    const result = run('numbers', {
      filter_by: { enabled: true, conditions: [{ comparison_operator: '>', value: '2' }] },
      extract_by: { enabled: true, serial: '2' },
      order_by: { enabled: true, value: 'desc' },
      limit: { enabled: true, size: 1 },
    });
    expect(result).toEqual({ result: [10], first_record: 10, last_record: 10 });
    const noExtract = run('numbers', {
      filter_by: { enabled: true, conditions: [{ comparison_operator: '>', value: '2' }] },
      order_by: { enabled: true, value: 'asc' },
      limit: { enabled: true, size: 2 },
    });
    expect(noExtract).toEqual({ result: [3, 5], first_record: 3, last_record: 5 });
  });

  it('fails for a missing variable, a non-list or a mixed list', () => {
    expect(errorOf(() => run('absent', {})).message).toBe("Variable not found for selector: ['src', 'absent']");
    expect(errorOf(() => run('text', {})).message).toBe("Variable ['src', 'text'] is not an array type, actual type: string");
    expect(errorOf(() => run('mixed', {})).code).toBe('not-an-array');
  });

  it('does not mutate the pool’s list', () => {
    const pool = makePool();
    applyListOperator({ variable: ['src', 'numbers'], order_by: { enabled: true, value: 'asc' } }, pool);
    expect(pool.get(['src', 'numbers'])).toEqual([5, 1, 10, 3]);
  });
});
