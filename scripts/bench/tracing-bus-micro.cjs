// Microbenchmark of the bus's trace work for one message of an unsampled trace (tracing on, 10%): the path
// before `unsampledFromTraceparent` (the W3C propagators' full extract, then propagation.inject on the way out)
// against withIncomingSpan/withOutgoingSpan as they are, interleaved in one process. Needs the build (dist/).
//   npm run -s build && node scripts/bench/tracing-bus-micro.cjs
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, run as is */
const path = require('path');
const root = path.join(__dirname, '..', '..');
const { startTracing } = require(path.join(root, 'dist/libs/tracing/src/start-tracing.js'));
const { InMemorySpanExporter } = require(require.resolve('@opentelemetry/sdk-trace-base', { paths: [root] }));
startTracing('micro', {
  env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  exporter: new InMemorySpanExporter(),
  log: () => {},
});
const api = require(require.resolve('@opentelemetry/api', { paths: [root] }));
const { headers: natsHeaders } = require(require.resolve('nats', { paths: [root] }));
const spans = require(path.join(root, 'dist/libs/tracing/src/spans.js'));
const getter = { get: (c, k) => c?.get(k) || undefined, keys: () => [] };
const setter = { set: (c, k, v) => c.set(k, v) };
const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
function msg() {
  const h = natsHeaders();
  h.set('x-correlation-id', 'abc');
  h.set('x-contract-version', '1');
  h.set('traceparent', TP);
  return h;
}
const opts = { subject: 'wf.node.execute.v1', operation: 'process', kind: api.SpanKind.CONSUMER };
const out = { subject: 'wf.node.result.v1', operation: 'publish', kind: api.SpanKind.PRODUCER };
// Old path (main): full extract through the registered propagator, then propagation.inject on the way out.
function oldPath(h) {
  const parent = api.propagation.extract(api.ROOT_CONTEXT, h, getter);
  return api.context.with(parent, () => {
    const o = natsHeaders();
    api.propagation.inject(api.context.active(), o, setter);
    return o;
  });
}
function newPath(h) {
  return spans.withIncomingSpan(opts, h, () => spans.withOutgoingSpan(out, natsHeaders(), () => 1));
}
const N = 200000;
const hs = Array.from({ length: 1000 }, msg);
function time(fn) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(hs[i % 1000]);
  return Number(process.hrtime.bigint() - t) / N;
}
// sanity: same outgoing header
const o1 = oldPath(hs[0]);
let o2;
spans.withIncomingSpan(opts, hs[0], () => {
  o2 = natsHeaders();
  spans.injectTraceContext(o2);
});
if (o1.get('traceparent') !== TP || o2.get('traceparent') !== TP) throw new Error('paths differ');
const r = { old: [], new: [] };
for (let round = 0; round < 7; round++) {
  r.old.push(time(oldPath));
  r.new.push(time(newPath));
}
const med = (a) => [...a].sort((x, y) => x - y)[3];
console.log(
  `ns per message, median of 7 interleaved rounds of ${N}: old ${med(r.old).toFixed(0)} new ${med(r.new).toFixed(0)} (both include creating the outgoing NATS headers)`,
);
process.exit(0);
