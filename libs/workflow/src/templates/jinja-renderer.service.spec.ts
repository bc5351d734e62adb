import { Worker } from 'node:worker_threads';
import { JinjaRenderer, type JinjaRendererOptions, type JinjaRenderResult } from './jinja-renderer.service';

// Three million loop iterations: seconds of CPU, which on the main thread would stall the event loop throughout.
const BOMB = '{% for i in range(3000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}';
// Doubles a list thirty times; runs out of a small heap well within the time budget.
const MEMORY_HOG =
  '{% set ns = namespace(items=[1]) %}{% for i in range(30) %}{% set ns.items = ns.items + ns.items %}{% endfor %}{{ ns.items | length }}';
const CLOSED: JinjaRenderResult = { ok: false, kind: 'error', error: 'Template renderer is closed' };

describe('JinjaRenderer', () => {
  const open: JinjaRenderer[] = [];
  const renderer = (options: JinjaRendererOptions = {}) => {
    const created = new JinjaRenderer(options);
    open.push(created);
    return created;
  };
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(open.splice(0).map((r) => r.close()));
  });

  it('renders a template with its variables', async () => {
    const r = renderer();
    await expect(
      r.render('Hello {{ name | upper }}! {% for x in items %}{{ x.n }},{% endfor %}', { name: 'ada', items: [{ n: 1 }, { n: 2 }] }),
    ).resolves.toEqual({
      ok: true,
      output: 'Hello ADA! 1,2,',
    });
    // The second render of the same text uses the worker's parsed copy and must still see its own variables.
    await expect(
      r.render('Hello {{ name | upper }}! {% for x in items %}{{ x.n }},{% endfor %}', { name: 'bo', items: [] }),
    ).resolves.toEqual({ ok: true, output: 'Hello BO! ' });
  });

  it('reports a syntax error and a render error with the library messages', async () => {
    const r = renderer();
    await expect(r.render('{% for %}', {})).resolves.toEqual({
      ok: false,
      kind: 'error',
      error: 'Unexpected token: CloseStatement',
      errorName: 'SyntaxError',
    });
    await expect(r.render('{{ fail() }}', {})).resolves.toEqual({
      ok: false,
      kind: 'error',
      error: 'Cannot call something that is not a function: got UndefinedValue',
      errorName: 'Error',
    });
  });

  it('stops a template bomb at its time budget without blocking the event loop, then renders on a fresh worker', async () => {
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    const r = renderer({ timeoutMs: 300 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const result = await r.render(BOMB, {}).finally(() => clearInterval(ticker));
    expect(result).toEqual({ ok: false, kind: 'timeout', error: 'Template rendering took longer than the 300 ms limit' });
    // A blocked loop would tick at most once; a free one ticks about 30 times in the 300 ms budget alone.
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(terminate).toHaveBeenCalledTimes(1);
    await expect(r.render('{{ a + b }}', { a: 1, b: 2 })).resolves.toEqual({ ok: true, output: '3' });
  });

  it('refuses output longer than maxOutputLength', async () => {
    const r = renderer({ maxOutputLength: 5 });
    await expect(r.render('{{ text }}', { text: 'x'.repeat(5) })).resolves.toEqual({ ok: true, output: 'xxxxx' });
    await expect(r.render('{{ text }}', { text: 'x'.repeat(6) })).resolves.toEqual({
      ok: false,
      kind: 'output_too_large',
      error: 'Output length exceeds 5 characters',
    });
  });

  it('fails a render that exhausts the worker heap, then renders on a fresh worker', async () => {
    const r = renderer({ memoryMb: 32, timeoutMs: 4000 });
    await expect(r.render(MEMORY_HOG, {})).resolves.toEqual({
      ok: false,
      kind: 'memory',
      error: 'Template rendering used more than the 32 MB memory limit',
    });
    await expect(r.render('{{ 6 * 7 }}', {})).resolves.toEqual({ ok: true, output: '42' });
  });

  it('queues renders behind a busy worker and runs them in order, each timed from its own start', async () => {
    const r = renderer({ timeoutMs: 300, workers: 1 });
    const finished: string[] = [];
    const track = (name: string, pending: Promise<JinjaRenderResult>) =>
      pending.then((result) => {
        finished.push(name);
        return result.ok ? result.output : result.kind;
      });
    // The renders behind the bomb wait longer than 300 ms in the queue; they succeed because only their own rendering counts.
    const outputs = await Promise.all([
      track('bomb', r.render(BOMB, {})),
      track('a', r.render('a{{ n }}', { n: 1 })),
      track('b', r.render('b{{ n }}', { n: 2 })),
      track('c', r.render('c{{ n }}', { n: 3 })),
    ]);
    expect(outputs).toEqual(['timeout', 'a1', 'b2', 'c3']);
    expect(finished).toEqual(['bomb', 'a', 'b', 'c']);
  });

  it('renders on another worker while one is busy', async () => {
    const r = renderer({ timeoutMs: 500, workers: 2 });
    const finished: string[] = [];
    const bomb = r.render(BOMB, {}).then((result) => finished.push(result.ok ? 'bomb' : `bomb ${result.kind}`));
    const quick = r.render('{{ 1 }}', {}).then((result) => finished.push(result.ok ? result.output : result.kind));
    await Promise.all([bomb, quick]);
    expect(finished).toEqual(['1', 'bomb timeout']);
  });

  it('ends running and queued renders on close, and refuses renders after it', async () => {
    const r = new JinjaRenderer({ timeoutMs: 60_000 });
    // A first render makes the worker ready, so the bomb below starts at once and the next one waits.
    await expect(r.render('{{ 1 }}', {})).resolves.toEqual({ ok: true, output: '1' });
    const running = r.render(BOMB, {});
    const queued = r.render('{{ 2 }}', {});
    await r.close();
    await expect(Promise.all([running, queued])).resolves.toEqual([CLOSED, CLOSED]);
    await expect(r.render('{{ 3 }}', {})).resolves.toEqual(CLOSED);
  });
});
