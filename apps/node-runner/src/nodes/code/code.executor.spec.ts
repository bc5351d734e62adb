import { CodeSandbox } from '../../sandbox';
import { testSandboxOptions } from '../../sandbox/sandbox-test.util';
import { CodeExecutor } from './code.executor';
import { failureOf, testContext, testJob } from '../node-test.util';

describe('CodeExecutor', () => {
  const sandbox = new CodeSandbox(testSandboxOptions());
  const executor = new CodeExecutor(sandbox);
  afterAll(() => sandbox.close());

  const variables = { start: { a: 2, words: ['x', 'y'] }, other: { obj: { n: 5 } } };
  const inputsFrom = [
    { variable: 'a', value_selector: ['start', 'a'] },
    { variable: 'words', value_selector: ['start', 'words'] },
    { variable: 'n', value_selector: ['other', 'obj', 'n'] },
    { variable: 'missing', value_selector: ['start', 'nope'] },
  ];

  it('runs JavaScript main with the selected variables and returns the checked outputs', async () => {
    const job = testJob(
      'code',
      {
        code_language: 'javascript',
        code: 'function main({ a, words, n, missing }) { return { sum: a + n, joined: words.join("-"), none: missing === null } }',
        variables: inputsFrom,
        outputs: {
          sum: { type: 'number', children: null },
          joined: { type: 'string', children: null },
          none: { type: 'boolean', children: null },
        },
      },
      variables,
    );
    const result = await executor.execute(job, testContext(job));
    expect(result).toMatchObject({ status: 'succeeded', outputs: { sum: 7, joined: 'x-y', none: true } });
    expect(result.inputs).toEqual({ a: 2, words: ['x', 'y'], n: 5, missing: null });
  });

  it('fails with OutputValidationError when the result does not match the declared outputs', async () => {
    const job = testJob('code', {
      code_language: 'javascript',
      code: 'function main() { return { sum: "seven", extra: 1 } }',
      outputs: { sum: { type: 'number' }, extra: { type: 'number' } },
    });
    const result = await executor.execute(job, testContext(job));
    expect(result).toMatchObject({
      status: 'failed',
      errorType: 'OutputValidationError',
      error: 'Output sum is not a number, got string instead.',
    });
  });

  it('fails with CodeExecutionError when the code throws, and with CodeNodeError for an unknown language', async () => {
    const throwing = testJob('code', {
      code_language: 'javascript',
      code: 'function main() { throw new Error("bad input") }',
      outputs: {},
    });
    const thrown = await executor.execute(throwing, testContext(throwing));
    expect(thrown).toMatchObject({ status: 'failed', errorType: 'CodeExecutionError' });
    expect(failureOf(thrown).error).toContain('bad input');

    const ruby = testJob('code', { code_language: 'ruby', code: 'def main; end', outputs: {} });
    await expect(executor.execute(ruby, testContext(ruby))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'CodeNodeError',
      error: 'Unsupported code language: ruby',
    });
  });

  it('runs Python main with keyword arguments', async () => {
    const job = testJob(
      'code',
      {
        code_language: 'python3',
        code: 'def main(a: int, words: list) -> dict:\n    return {"result": a * 10, "upper": [w.upper() for w in words]}\n',
        variables: inputsFrom.slice(0, 2),
        outputs: { result: { type: 'number' }, upper: { type: 'array[string]' } },
      },
      variables,
    );
    const result = await executor.execute(job, testContext(job));
    expect(result).toMatchObject({ status: 'succeeded', outputs: { result: 20, upper: ['X', 'Y'] } });
  }, 60_000);
});
