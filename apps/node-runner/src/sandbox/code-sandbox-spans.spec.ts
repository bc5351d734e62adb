import { SpanStatusCode } from '@opentelemetry/api';
import { recordSpans, type SpanRecorder } from '@weft/testing';
import { CodeSandbox, limitHit } from './code-sandbox.service';
import { testSandboxOptions } from './sandbox-test.util';

let recorder: SpanRecorder;
const sandbox = new CodeSandbox(testSandboxOptions({ maxOutputBytes: 1000, timeoutMs: 500 }));
beforeAll(() => {
  recorder = recordSpans();
});
afterAll(async () => {
  await sandbox.close();
  await recorder.stop();
});
beforeEach(() => recorder.reset());

const run = (code: string) => sandbox.run({ code, inputs: {}, language: 'javascript', workspaceId: 'workspace-a' });

describe('code execution spans', () => {
  it('records a run as weft.code.execute with its language, duration and no limit hit', async () => {
    expect(await run('function main() { return { a: 1 } }')).toEqual({ ok: true, result: { a: 1 } });
    const [span] = recorder.named('weft.code.execute');
    expect(span!.attributes).toMatchObject({ 'weft.code.language': 'javascript', 'weft.code.limit_hit': 'none' });
    expect(span!.attributes['weft.code.duration_ms']).toBeGreaterThan(0);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('says which limit ended a run, as an error', async () => {
    await run('function main() { while (true) {} }');
    await run('function main() { return { big: "x".repeat(5000) } }');
    const spans = recorder.named('weft.code.execute');
    expect(spans.map((s) => [s.attributes['weft.code.limit_hit'], s.attributes['weft.code.error_kind'], s.status.code])).toEqual([
      ['timeout', 'timeout', SpanStatusCode.ERROR],
      ['output', 'invalid_output', SpanStatusCode.ERROR],
    ]);
  });

  it('maps every failure kind to the limit it stands for', () => {
    expect(limitHit({ error: 'Code used more than the 32 MB memory limit', kind: 'memory', ok: false })).toBe('memory');
    expect(limitHit({ error: 'Code wrote a file larger than the 4 MB limit', kind: 'runtime', ok: false })).toBe('file');
    expect(limitHit({ error: 'Output must be an object, got 3', kind: 'invalid_output', ok: false })).toBe('none');
    expect(limitHit({ error: 'ReferenceError: x is not defined', kind: 'runtime', ok: false })).toBe('none');
  });
});
