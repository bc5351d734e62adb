import { buildMetadataFilter, MetadataFilterInput } from './metadata-filter.util';
import { RetrievalParamError } from './retrieval-model.types';

const NUM = "'^[[:space:]]*[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]{1,3})?[[:space:]]*$'";
const field = (n: number, column = 'metadata') => `(${column} ->> $${n}::text)`;
const numeric = (n: number, column = 'metadata') => `(CASE WHEN ${field(n, column)} ~ ${NUM} THEN ${field(n, column)}::numeric END)`;

function one(comparison_operator: string, value: unknown, name = 'author') {
  return buildMetadataFilter({ logical_operator: 'and', conditions: [{ name, comparison_operator, value }] });
}

function errorOf(fn: () => unknown): RetrievalParamError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RetrievalParamError) return error;
    throw error;
  }
  throw new Error('expected a RetrievalParamError');
}

describe('buildMetadataFilter: one condition per operator', () => {
  it.each<[string, unknown, string, unknown[]]>([
    ['contains', 'Ada', `(strpos(${field(1)}, $2::text) > 0)`, ['author', 'Ada']],
    ['not contains', 'Ada', `((${field(1)} IS NULL OR strpos(${field(1)}, $2::text) = 0))`, ['author', 'Ada']],
    ['start with', 'Ad', `(starts_with(${field(1)}, $2::text))`, ['author', 'Ad']],
    ['end with', 'da', `(right(${field(1)}, char_length($2::text)) = $2::text)`, ['author', 'da']],
    ['is', 'Ada', `(${field(1)} = $2::text)`, ['author', 'Ada']],
    ['is', 2024, `(${numeric(1)} = $2::numeric)`, ['author', '2024']],
    ['is not', 'Ada', `(${field(1)} <> $2::text)`, ['author', 'Ada']],
    ['is not', 1.5, `(${numeric(1)} <> $2::numeric)`, ['author', '1.5']],
    ['empty', null, `(COALESCE(${field(1)}, '') = '')`, ['author']],
    ['not empty', undefined, `(COALESCE(${field(1)}, '') <> '')`, ['author']],
    ['in', ['Ada', 'Bob'], `(${field(1)} = ANY($2::text[]))`, ['author', ['Ada', 'Bob']]],
    ['in', ' Ada , Bob,, ', `(${field(1)} = ANY($2::text[]))`, ['author', ['Ada', 'Bob']]],
    ['in', [1, 2], `(${field(1)} = ANY($2::text[]))`, ['author', ['1', '2']]],
    ['not in', ['Ada'], `((${field(1)} IS NULL OR NOT (${field(1)} = ANY($2::text[]))))`, ['author', ['Ada']]],
    ['in', [], '(FALSE)', []],
    ['not in', ' , ', '(TRUE)', []],
    ['=', 5, `(${numeric(1)} = $2::numeric)`, ['author', '5']],
    ['=', ' 5.5 ', `(${numeric(1)} = $2::numeric)`, ['author', '5.5']],
    ['≠', 5, `(${numeric(1)} <> $2::numeric)`, ['author', '5']],
    ['>', -1e3, `(${numeric(1)} > $2::numeric)`, ['author', '-1000']],
    ['<', '1e-2', `(${numeric(1)} < $2::numeric)`, ['author', '1e-2']],
    ['≥', 0, `(${numeric(1)} >= $2::numeric)`, ['author', '0']],
    ['≤', 10, `(${numeric(1)} <= $2::numeric)`, ['author', '10']],
    ['before', 1717171717, `(${numeric(1)} < $2::numeric)`, ['author', '1717171717']],
    ['after', '1717171717', `(${numeric(1)} > $2::numeric)`, ['author', '1717171717']],
    ['after', '2024-06-01', `(${numeric(1)} > $2::numeric)`, ['author', String(Date.UTC(2024, 5, 1) / 1000)]],
    ['before', '2024-06-01T12:30:00Z', `(${numeric(1)} < $2::numeric)`, ['author', String(Date.UTC(2024, 5, 1, 12, 30) / 1000)]],
    ['before', '2024-06-01T12:30', `(${numeric(1)} < $2::numeric)`, ['author', String(Date.UTC(2024, 5, 1, 12, 30) / 1000)]],
    ['before', '2024-06-01T12:30:00+02:00', `(${numeric(1)} < $2::numeric)`, ['author', String(Date.UTC(2024, 5, 1, 10, 30) / 1000)]],
    ['after', '2024-06-01 00:00:00.5+0000', `(${numeric(1)} > $2::numeric)`, ['author', String(Date.UTC(2024, 5, 1) / 1000 + 0.5)]],
  ])('%s %j', (operator, value, sql, params) => {
    expect(one(operator, value)).toEqual({ sql, params });
  });

  it('accepts the ASCII spellings !=, >= and <=', () => {
    expect(one('!=', 5)).toEqual(one('≠', 5));
    expect(one('>=', 5)).toEqual(one('≥', 5));
    expect(one('<=', 5)).toEqual(one('≤', 5));
  });
});

describe('buildMetadataFilter: combining conditions', () => {
  const filter: MetadataFilterInput = {
    logical_operator: 'or',
    conditions: [
      { name: 'author', comparison_operator: 'is', value: 'Ada' },
      { name: 'year', comparison_operator: '>', value: 2020 },
      { name: 'tags', comparison_operator: 'contains', value: 'rag' },
    ],
  };

  it('joins with OR and numbers parameters in order', () => {
    expect(buildMetadataFilter(filter)).toEqual({
      sql: `((${field(1)} = $2::text) OR (${numeric(3)} > $4::numeric) OR (strpos(${field(5)}, $6::text) > 0))`,
      params: ['author', 'Ada', 'year', '2020', 'tags', 'rag'],
    });
  });

  it('joins with AND when asked or when the operator is missing', () => {
    expect(buildMetadataFilter({ ...filter, logical_operator: 'and' }).sql).toContain(') AND (');
    expect(buildMetadataFilter({ conditions: filter.conditions }).sql).toContain(') AND (');
    expect(buildMetadataFilter({ ...filter, logical_operator: null }).sql).not.toContain(' OR ');
  });

  it('starts numbering where the surrounding query needs it and uses the column given', () => {
    const { sql, params } = buildMetadataFilter(filter, { firstParameterIndex: 4, column: 'd.metadata' });
    expect(sql).toBe(
      `((${field(4, 'd.metadata')} = $5::text) OR (${numeric(6, 'd.metadata')} > $7::numeric) OR (strpos(${field(8, 'd.metadata')}, $9::text) > 0))`,
    );
    expect(params).toHaveLength(6);
  });

  it('skips conditions without a value, as Dify does, and gives TRUE when none is left', () => {
    expect(
      buildMetadataFilter({
        conditions: [
          { name: 'a', comparison_operator: 'is', value: null },
          { name: 'b', comparison_operator: 'contains' },
        ],
      }),
    ).toEqual({ sql: 'TRUE', params: [] });
    expect(
      buildMetadataFilter({
        conditions: [
          { name: 'a', comparison_operator: 'is', value: null },
          { name: 'b', comparison_operator: 'is', value: 'x' },
        ],
      }),
    ).toEqual({
      sql: `(${field(1)} = $2::text)`,
      params: ['b', 'x'],
    });
  });

  it('gives TRUE for no filter or no conditions', () => {
    expect(buildMetadataFilter(null)).toEqual({ sql: 'TRUE', params: [] });
    expect(buildMetadataFilter(undefined)).toEqual({ sql: 'TRUE', params: [] });
    expect(buildMetadataFilter({ logical_operator: 'and', conditions: [] })).toEqual({ sql: 'TRUE', params: [] });
    expect(buildMetadataFilter({ logical_operator: 'or', conditions: null })).toEqual({ sql: 'TRUE', params: [] });
  });

  it('never puts a name or value into the SQL text', () => {
    const hostile = "x'); DROP TABLE rag.segments; --";
    const { sql, params } = buildMetadataFilter({ conditions: [{ name: hostile, comparison_operator: 'contains', value: hostile }] });
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain(hostile);
    expect(params).toEqual([hostile, hostile]);
  });

  it('accepts names with spaces, dots and non-Latin letters as Dify does', () => {
    expect(buildMetadataFilter({ conditions: [{ name: '作者 name.v2', comparison_operator: 'is', value: 'x' }] }).params).toEqual([
      '作者 name.v2',
      'x',
    ]);
  });
});

describe('buildMetadataFilter: bad input', () => {
  it.each<[string, unknown, string]>([
    ['a filter that is not an object', 'author=Ada', 'Invalid metadata_filtering_conditions: must be an object'],
    [
      'an unknown logical operator',
      { logical_operator: 'xor', conditions: [] },
      'Invalid metadata_filtering_conditions: logical_operator "xor" must be "and" or "or"',
    ],
    ['conditions that are not a list', { conditions: { name: 'a' } }, 'Invalid metadata_filtering_conditions: conditions must be a list'],
    ['a condition that is not an object', { conditions: ['a'] }, 'Invalid metadata_filtering_conditions: conditions[0] must be an object'],
    [
      'an unknown operator',
      { conditions: [{ name: 'a', comparison_operator: 'like', value: 'x' }] },
      'Invalid metadata_filtering_conditions: conditions[0].comparison_operator "like" is not supported',
    ],
    [
      'a missing operator',
      { conditions: [{ name: 'a', value: 'x' }] },
      'Invalid metadata_filtering_conditions: conditions[0].comparison_operator undefined is not supported',
    ],
    [
      'an empty name',
      { conditions: [{ name: ' ', comparison_operator: 'is', value: 'x' }] },
      'Invalid metadata_filtering_conditions: conditions[0].name must be a non-empty string',
    ],
    [
      'a name that is not a string',
      { conditions: [{ name: 5, comparison_operator: 'is', value: 'x' }] },
      'Invalid metadata_filtering_conditions: conditions[0].name must be a non-empty string',
    ],
    [
      'a name over 255 characters',
      { conditions: [{ name: 'n'.repeat(256), comparison_operator: 'is', value: 'x' }] },
      'Invalid metadata_filtering_conditions: conditions[0].name cannot exceed 255 characters',
    ],
    [
      'a name with a NUL',
      { conditions: [{ name: 'a\u0000b', comparison_operator: 'is', value: 'x' }] },
      'Invalid metadata_filtering_conditions: conditions[0].name contains control characters',
    ],
    [
      'an object value',
      { conditions: [{ name: 'a', comparison_operator: 'is', value: { x: 1 } }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a string, a number or a list of them',
    ],
    [
      'a boolean value',
      { conditions: [{ name: 'a', comparison_operator: 'is', value: true }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a string, a number or a list of them',
    ],
    [
      'an infinite number',
      { conditions: [{ name: 'a', comparison_operator: '>', value: Number.POSITIVE_INFINITY }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a finite number',
    ],
    [
      'a list with an object',
      { conditions: [{ name: 'a', comparison_operator: 'in', value: ['x', {}] }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must hold only strings and numbers',
    ],
    [
      'a list for a text operator',
      { conditions: [{ name: 'a', comparison_operator: 'contains', value: ['x'] }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a single value for "contains"',
    ],
    [
      'text for a number operator',
      { conditions: [{ name: 'a', comparison_operator: '>', value: 'ten' }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a number for ">"',
    ],
    [
      'an exponent too large to cast',
      { conditions: [{ name: 'a', comparison_operator: '=', value: '1e1000' }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a number for "="',
    ],
    [
      'a list for a number operator',
      { conditions: [{ name: 'a', comparison_operator: '≤', value: [1] }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be a number for "≤"',
    ],
    [
      'a non-date for before',
      { conditions: [{ name: 'a', comparison_operator: 'before', value: 'yesterday' }] },
      'Invalid metadata_filtering_conditions: conditions[0].value must be epoch seconds or an ISO 8601 date for "before"',
    ],
    [
      'an impossible date',
      { conditions: [{ name: 'a', comparison_operator: 'after', value: '2024-02-30' }] },
      'Invalid metadata_filtering_conditions: conditions[0].value "2024-02-30" is not a valid date',
    ],
    [
      'an impossible time',
      { conditions: [{ name: 'a', comparison_operator: 'after', value: '2024-02-01T25:00' }] },
      'Invalid metadata_filtering_conditions: conditions[0].value "2024-02-01T25:00" is not a valid date',
    ],
    [
      'the second condition bad',
      {
        conditions: [
          { name: 'a', comparison_operator: 'is', value: 'x' },
          { name: 'b', comparison_operator: '>', value: 'x' },
        ],
      },
      'Invalid metadata_filtering_conditions: conditions[1].value must be a number for ">"',
    ],
    [
      'too many conditions',
      { conditions: Array.from({ length: 101 }, () => ({ name: 'a', comparison_operator: 'empty' })) },
      'Invalid metadata_filtering_conditions: at most 100 conditions are allowed',
    ],
  ])('rejects %s', (_name, filter, message) => {
    const error = errorOf(() => buildMetadataFilter(filter as MetadataFilterInput));
    expect(error.message).toBe(message);
    expect(error.code).toBe('invalid_param');
  });

  it('rejects a column or first index that would break the SQL', () => {
    expect(() => buildMetadataFilter(null, { column: 'metadata; DROP' })).toThrow(RangeError);
    expect(() => buildMetadataFilter(null, { column: 'a.b.c' })).toThrow(RangeError);
    expect(() => buildMetadataFilter(null, { firstParameterIndex: 0 })).toThrow(RangeError);
  });
});
