/** Data a Jinja worker starts with. */
export interface JinjaWorkerData {
  /** Parsed templates a worker keeps, least recently used dropped first. */
  cacheSize: number;
  /** Absolute path of `@huggingface/jinja`, resolved in the main thread (an eval'd worker has no module path of its own). */
  jinjaPath: string;
  maxOutputLength: number;
}

/** A message from the main thread asking a worker to render one template. */
export interface JinjaRenderMessage {
  id: number;
  template: string;
  variables: Record<string, unknown>;
}

/** What a worker reports: that it is ready, or how a render ended. */
export type JinjaWorkerMessage = { type: 'ready' } | { type: 'done'; id: number; outcome: JinjaWorkerOutcome };

/** How one render ended inside the worker; timeouts and memory exhaustion are decided by the main thread. */
export type JinjaWorkerOutcome =
  { ok: true; output: string } | { ok: false; kind: 'output_too_large' } | { ok: false; kind: 'error'; error: string; errorName: string };

/**
 * The worker thread, as CommonJS source run with `eval: true` so it needs no build step of its own (it runs
 * the same under Jest and from the compiled dist). Output over the limit is refused here, so an oversized
 * string is never copied back to the main thread.
 */
export const JINJA_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { Template } = require(workerData.jinjaPath);

const cache = new Map();

function compile(text) {
  let template = cache.get(text);
  if (template === undefined) {
    template = new Template(text);
    if (cache.size >= workerData.cacheSize) cache.delete(cache.keys().next().value);
  } else {
    cache.delete(text);
  }
  cache.set(text, template);
  return template;
}

parentPort.on('message', (message) => {
  let outcome;
  try {
    const output = compile(message.template).render(message.variables);
    outcome = output.length > workerData.maxOutputLength ? { ok: false, kind: 'output_too_large' } : { ok: true, output };
  } catch (error) {
    const isError = error !== null && typeof error === 'object';
    outcome = {
      ok: false,
      kind: 'error',
      error: isError && typeof error.message === 'string' ? error.message : String(error),
      errorName: isError && typeof error.name === 'string' ? error.name : 'Error',
    };
  }
  parentPort.postMessage({ type: 'done', id: message.id, outcome });
});
parentPort.postMessage({ type: 'ready' });
`;
