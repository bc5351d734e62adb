import { VariablePool } from '../variables';
import { ComparisonOperator, Condition, ConditionCase, ConditionError, ConditionValue, SubVariableCondition } from './condition.types';
import {
  evaluateCases,
  evaluateCondition,
  evaluateConditions,
  evaluateIfElse,
  resolveIfElseCases,
  shouldBreakLoop,
} from './condition.util';

const image = {
  dify_model_identity: '__dify__file__',
  type: 'image',
  transfer_method: 'local_file',
  related_id: 'i1',
  filename: 'cat.png',
  extension: '.png',
  mime_type: 'image/png',
  size: 500,
};
const pdf = {
  dify_model_identity: '__dify__file__',
  type: 'document',
  transfer_method: 'remote_url',
  remote_url: 'https://x/a.pdf',
  filename: 'a.pdf',
  extension: 'pdf',
  mime_type: 'application/pdf',
  size: 5000,
};

function makePool(): VariablePool {
  const pool = new VariablePool({ system: { query: 'hello world' }, conversation: { mode: 'pro' } });
  pool.setNodeOutputs('n', {
    text: 'hello world',
    empty: '',
    zero: 0,
    num: 5,
    float: 2.5,
    numstr: '10',
    flag: true,
    off: false,
    nil: null,
    obj: { a: 1 },
    emptyObj: {},
    tags: ['a', 'b', 'c'],
    numbers: [1, 2, 3],
    bools: [true, true],
    emptyList: [],
    files: [image, pdf],
    people: [
      { name: 'Ada', age: 36 },
      { name: 'Bob', age: 17 },
    ],
    file: image,
    threshold: 3,
    word: 'world',
  });
  return pool;
}

function check(variable: string, operator: ComparisonOperator, value?: ConditionValue, extra: Partial<Condition> = {}): boolean {
  return evaluateCondition({ variable_selector: ['n', variable], comparison_operator: operator, value, ...extra }, makePool());
}

function failure(fn: () => unknown): ConditionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConditionError) return error;
    throw error;
  }
  throw new Error('expected a ConditionError');
}

describe('evaluateCondition operators', () => {
  const cases: Array<[string, ComparisonOperator, ConditionValue | undefined, boolean]> = [
    // contains / not contains
    ['text', 'contains', 'lo wo', true],
    ['text', 'contains', 'xyz', false],
    ['tags', 'contains', 'b', true],
    ['tags', 'contains', 'z', false],
    ['numbers', 'contains', '2', false],
    ['empty', 'contains', '', false],
    ['nil', 'contains', 'a', false],
    ['text', 'not contains', 'xyz', true],
    ['text', 'not contains', 'hello', false],
    ['tags', 'not contains', 'a', false],
    ['emptyList', 'not contains', 'a', true],
    ['nil', 'not contains', 'a', true],
    // start with / end with
    ['text', 'start with', 'hell', true],
    ['text', 'start with', 'world', false],
    ['text', 'end with', 'world', true],
    ['text', 'end with', 'hello', false],
    ['empty', 'start with', '', false],
    ['nil', 'end with', 'x', false],
    // is / is not
    ['text', 'is', 'hello world', true],
    ['text', 'is', 'hello', false],
    ['text', 'is not', 'hello', true],
    ['text', 'is not', 'hello world', false],
    ['nil', 'is', 'x', false],
    ['nil', 'is not', 'x', false],
    ['flag', 'is', 'true', true],
    ['flag', 'is', 'false', false],
    ['off', 'is', '0', true],
    ['flag', 'is not', 'false', true],
    // empty / not empty, with Python truthiness
    ['empty', 'empty', undefined, true],
    ['nil', 'empty', undefined, true],
    ['emptyList', 'empty', undefined, true],
    ['emptyObj', 'empty', undefined, true],
    ['zero', 'empty', undefined, true],
    ['text', 'empty', undefined, false],
    ['tags', 'empty', undefined, false],
    ['text', 'not empty', undefined, true],
    ['obj', 'not empty', undefined, true],
    ['empty', 'not empty', undefined, false],
    ['nil', 'not empty', undefined, false],
    // in / not in, with arrays, JSON lists and comma lists
    ['text', 'in', ['hello world', 'bye'], true],
    ['text', 'in', ['bye'], false],
    ['word', 'in', 'hello, world', true],
    ['word', 'in', '["world", "x"]', true],
    ['word', 'in', 'worlds,x', false],
    ['num', 'in', '[5, 6]', true],
    ['nil', 'in', ['a'], false],
    ['text', 'not in', ['bye'], true],
    ['word', 'not in', 'a,world', false],
    ['nil', 'not in', ['a'], true],
    // all of
    ['tags', 'all of', ['a', 'c'], true],
    ['tags', 'all of', ['a', 'z'], false],
    ['tags', 'all of', 'a, b', true],
    ['text', 'all of', ['hello', 'world'], true],
    ['text', 'all of', ['hello', 'mars'], false],
    ['emptyList', 'all of', ['a'], false],
    ['bools', 'all of', ['true'], true],
    ['bools', 'all of', ['false'], false],
    ['num', 'all of', ['5'], false],
    // numbers, with the right side parsed
    ['num', '=', '5', true],
    ['num', '=', '5.0', true],
    ['num', '=', '6', false],
    ['float', '=', '2.5', true],
    ['numstr', '=', '10', true],
    ['num', '≠', '6', true],
    ['num', '≠', '5', false],
    ['num', '>', '4.5', true],
    ['num', '>', '5', false],
    ['num', '<', '10', true],
    ['num', '<', '5', false],
    ['num', '≥', '5', true],
    ['num', '≥', '6', false],
    ['num', '≤', '5', true],
    ['num', '≤', '4', false],
    ['numstr', '>', '9', true],
    ['flag', '>', '0', true],
    ['flag', '=', 'true', true],
    ['flag', '=', '0', false],
    ['off', '≠', 'true', true],
    ['nil', '=', '1', false],
    ['nil', '≠', '1', false],
    ['nil', '>', '1', false],
    ['nil', '≤', '1', false],
    // null / not null
    ['nil', 'null', undefined, true],
    ['zero', 'null', undefined, false],
    ['zero', 'not null', undefined, true],
    ['nil', 'not null', undefined, false],
    // exists / not exists
    ['file', 'exists', undefined, true],
    ['nil', 'exists', undefined, false],
    ['nil', 'not exists', undefined, true],
    ['file', 'not exists', undefined, false],
  ];

  it.each(cases)('%s %s %j → %s', (variable, operator, value, expected) => {
    expect(check(variable, operator, value)).toBe(expected);
  });

  it('renders {{#...#}} templates in the right-hand value', () => {
    expect(check('num', '>', '{{#n.threshold#}}')).toBe(true);
    expect(check('num', '<', '{{#n.threshold#}}')).toBe(false);
    expect(check('text', 'contains', '{{#n.word#}}')).toBe(true);
    expect(check('text', 'is', 'hello {{#n.word#}}')).toBe(true);
    expect(check('flag', 'is', '{{#n.flag#}}')).toBe(true);
    expect(check('off', 'is', '{{#n.flag#}}')).toBe(false);
  });

  it('treats a missing right-hand value as None, as Dify does', () => {
    expect(check('text', 'contains', undefined)).toBe(false);
    expect(check('text', 'is', null)).toBe(false);
    expect(check('text', 'is not', null)).toBe(true);
  });

  it('throws a typed error for an unknown operator', () => {
    const error = failure(() => check('text', 'matches' as ComparisonOperator, 'x'));
    expect(error.code).toBe('unknown-operator');
    expect(error.message).toBe('Unsupported operator: matches');
  });

  it('throws when the variable is missing from the pool (a stored null is fine)', () => {
    const error = failure(() => check('absent', 'empty'));
    expect(error.code).toBe('variable-not-found');
    expect(error.message).toBe("Variable ['n', 'absent'] not found");
    expect(check('nil', 'empty')).toBe(true);
  });

  it('throws for values an operator cannot compare', () => {
    expect(failure(() => check('num', 'contains', '5')).message).toBe('Invalid actual value type: string or array');
    expect(failure(() => check('tags', 'start with', 'a')).message).toBe('Invalid actual value type: string');
    expect(failure(() => check('num', 'is', '5')).message).toBe('Invalid actual value type: string or boolean');
    expect(failure(() => check('text', '>', '1')).code).toBe('invalid-actual-value');
    expect(failure(() => check('obj', '=', '1')).message).toBe('Invalid actual value type: number or boolean');
    expect(failure(() => check('num', '>', 'abc')).message).toBe("Cannot convert 'abc' to number");
    expect(failure(() => check('num', '>', null)).code).toBe('invalid-expected-value');
    expect(failure(() => check('text', 'in', null)).message).toBe('Invalid expected value type: array');
    expect(failure(() => check('flag', 'is', 'maybe')).code).toBe('invalid-expected-value');
  });
});

function flagPool(): VariablePool {
  const pool = new VariablePool();
  pool.set(['n', 'flags'], [{ adult: true }, { adult: false }]);
  return pool;
}

describe('sub-variable conditions', () => {
  function sub(logical_operator: 'and' | 'or', ...conditions: SubVariableCondition['conditions']): SubVariableCondition {
    return { logical_operator, conditions };
  }

  it('match when any file satisfies a positive sub-condition', () => {
    expect(
      check('files', 'contains', null, { sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'is', value: 'image' }) }),
    ).toBe(true);
    expect(
      check('files', 'contains', null, { sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'is', value: 'video' }) }),
    ).toBe(false);
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'in', value: ['video', 'document'] }),
      }),
    ).toBe(true);
    expect(
      check('files', 'contains', null, { sub_variable_condition: sub('and', { key: 'size', comparison_operator: '>', value: '4000' }) }),
    ).toBe(true);
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'name', comparison_operator: 'end with', value: '.pdf' }),
      }),
    ).toBe(true);
  });

  it('require every file to satisfy a sub-condition whose operator contains "not"', () => {
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'is not', value: 'video' }),
      }),
    ).toBe(true);
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'is not', value: 'image' }),
      }),
    ).toBe(false);
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'not in', value: ['video'] }),
      }),
    ).toBe(true);
  });

  it('normalise extensions with and without a leading dot', () => {
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'extension', comparison_operator: 'is', value: 'pdf' }),
      }),
    ).toBe(true);
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'extension', comparison_operator: 'is', value: '.png' }),
      }),
    ).toBe(true);
    expect(
      check('files', 'contains', null, {
        sub_variable_condition: sub('and', { key: 'extension', comparison_operator: 'is', value: 'gif' }),
      }),
    ).toBe(false);
  });

  it('combine sub-conditions with and/or, each tested across all files', () => {
    const imageAndBig = sub(
      'and',
      { key: 'type', comparison_operator: 'is', value: 'image' },
      { key: 'size', comparison_operator: '>', value: '4000' },
    );
    expect(check('files', 'all of', null, { sub_variable_condition: imageAndBig })).toBe(true);
    const imageAndHuge = sub(
      'and',
      { key: 'type', comparison_operator: 'is', value: 'image' },
      { key: 'size', comparison_operator: '>', value: '9000' },
    );
    expect(check('files', 'contains', null, { sub_variable_condition: imageAndHuge })).toBe(false);
    expect(check('files', 'contains', null, { sub_variable_condition: { ...imageAndHuge, logical_operator: 'or' } })).toBe(true);
  });

  it('apply to arrays of objects by key', () => {
    const adult = sub('and', { key: 'age', comparison_operator: '≥', value: '18' });
    expect(check('people', 'contains', null, { sub_variable_condition: adult })).toBe(true);
    const named = sub('and', { key: 'name', comparison_operator: 'is', value: 'Cy' });
    expect(check('people', 'contains', null, { sub_variable_condition: named })).toBe(false);
    const adultFlag = sub('and', { key: 'adult', comparison_operator: 'is', value: 'true' });
    expect(
      evaluateCondition(
        { variable_selector: ['n', 'flags'], comparison_operator: 'contains', sub_variable_condition: adultFlag },
        flagPool(),
      ),
    ).toBe(true);
    const minorFlag = sub('and', { key: 'adult', comparison_operator: 'is not', value: 'true' });
    expect(
      evaluateCondition(
        { variable_selector: ['n', 'flags'], comparison_operator: 'contains', sub_variable_condition: minorFlag },
        flagPool(),
      ),
    ).toBe(false);
    const noMissing = sub('and', { key: 'email', comparison_operator: 'not null' });
    expect(check('people', 'contains', null, { sub_variable_condition: noMissing })).toBe(false);
  });

  it('treat an empty array declared as array[file] as having no matching file', () => {
    const isImage = sub('and', { key: 'type', comparison_operator: 'is', value: 'image' });
    expect(check('emptyList', 'contains', null, { varType: 'array[file]', sub_variable_condition: isImage })).toBe(false);
  });

  it('are required for file arrays and reject unknown keys', () => {
    expect(failure(() => check('files', 'contains', 'x')).code).toBe('sub-condition-required');
    const bad = sub('and', { key: 'colour', comparison_operator: 'is', value: 'red' });
    expect(failure(() => check('files', 'contains', null, { sub_variable_condition: bad })).message).toBe(
      "'colour' is not a valid FileAttribute",
    );
    const badOp = sub('and', { key: 'type', comparison_operator: 'like' as ComparisonOperator, value: 'x' });
    expect(failure(() => check('files', 'contains', null, { sub_variable_condition: badOp })).code).toBe('unknown-operator');
  });

  it('are ignored for operators other than contains, not contains and all of', () => {
    expect(
      check('files', 'not empty', null, { sub_variable_condition: sub('and', { key: 'type', comparison_operator: 'is', value: 'video' }) }),
    ).toBe(true);
  });
});

describe('evaluateConditions, evaluateCases, evaluateIfElse', () => {
  const pool = makePool();
  const yes: Condition = { variable_selector: ['n', 'num'], comparison_operator: '=', value: '5' };
  const no: Condition = { variable_selector: ['n', 'num'], comparison_operator: '=', value: '6' };
  const broken: Condition = { variable_selector: ['n', 'absent'], comparison_operator: 'empty' };

  it('combines with and/or and short-circuits like Dify', () => {
    expect(evaluateConditions([yes, yes], 'and', pool)).toBe(true);
    expect(evaluateConditions([yes, no], 'and', pool)).toBe(false);
    expect(evaluateConditions([no, broken], 'and', pool)).toBe(false);
    expect(evaluateConditions([no, yes], 'or', pool)).toBe(true);
    expect(evaluateConditions([yes, broken], 'or', pool)).toBe(true);
    expect(evaluateConditions([no, no], 'or', pool)).toBe(false);
    expect(evaluateConditions([], 'and', pool)).toBe(true);
    expect(evaluateConditions([], 'or', pool)).toBe(false);
    expect(() => evaluateConditions([yes, broken], 'and', pool)).toThrow(ConditionError);
  });

  it('returns the first matching case id, or "false"', () => {
    const cases: ConditionCase[] = [
      { case_id: 'true', logical_operator: 'and', conditions: [no] },
      { case_id: 'b7c1', logical_operator: 'or', conditions: [no, yes] },
      { case_id: 'later', logical_operator: 'and', conditions: [yes] },
    ];
    expect(evaluateCases(cases, pool)).toBe('b7c1');
    expect(evaluateCases([cases[0]], pool)).toBe('false');
    expect(evaluateCases([], pool)).toBe('false');
  });

  it('maps the legacy single-case form to case id "true"', () => {
    expect(resolveIfElseCases({ logical_operator: 'or', conditions: [no, yes] })).toEqual([
      { case_id: 'true', logical_operator: 'or', conditions: [no, yes] },
    ]);
    expect(evaluateIfElse({ logical_operator: 'and', conditions: [yes] }, pool)).toBe('true');
    expect(evaluateIfElse({ conditions: [no] }, pool)).toBe('false');
    expect(evaluateIfElse({ cases: [{ case_id: 'c1', logical_operator: 'and', conditions: [yes] }], conditions: [no] }, pool)).toBe('c1');
  });
});

describe('shouldBreakLoop', () => {
  it('reuses the condition evaluator on the loop’s variables', () => {
    const pool = new VariablePool();
    pool.set(['loop1', 'counter'], 3);
    const reached: Condition = { variable_selector: ['loop1', 'counter'], comparison_operator: '≥', value: '3' };
    const notYet: Condition = { variable_selector: ['loop1', 'counter'], comparison_operator: '≥', value: '4' };
    expect(shouldBreakLoop([reached], 'and', pool)).toBe(true);
    expect(shouldBreakLoop([reached, notYet], 'and', pool)).toBe(false);
    expect(shouldBreakLoop([notYet, reached], 'or', pool)).toBe(true);
    expect(shouldBreakLoop([reached], undefined, pool)).toBe(true);
  });

  it('never breaks without break conditions', () => {
    const pool = new VariablePool();
    expect(shouldBreakLoop([], 'and', pool)).toBe(false);
    expect(shouldBreakLoop(undefined, 'or', pool)).toBe(false);
  });
});
