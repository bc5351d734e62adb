// Small measuring helpers for the benchmarks: latency percentiles of sequential operations and
// HTTP load at a given concurrency (autocannon), the services' CPU time, and a sink for OTLP exports.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import autocannon from 'autocannon';

/**
 * Rate limits a benchmark's services run with. The load comes from one address with one key, far past the
 * production default of 100 requests per minute: the limiter stays on (its Redis call is part of what is measured)
 * with limits the load never reaches. The benchmarks sign in and deploy their apps through the console API, and
 * tests that ran just before from the same address share the limiter's Redis, so the console's limits are lifted too.
 */
export const LIFTED_RATE_LIMITS = {
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_MINUTE: '1000000000',
  CONSOLE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
  CONSOLE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '1000000000',
  CONSOLE_SENSITIVE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
};

export function percentile(sortedMs, p) {
  if (sortedMs.length === 0) return NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}

/** Runs `op` `count` times, `concurrency` at a time, and reports throughput and latency percentiles. */
export async function measureOps(count, concurrency, op) {
  const latencies = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const t = process.hrtime.bigint();
        await op();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { opsPerSecond: count / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
}

/** HTTP load with autocannon: requests per second and latency percentiles at a concurrency. */
export async function measureHttp(url, { connections, durationSeconds, method = 'GET', body, headers }) {
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    method,
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const failures = result.errors + result.timeouts + (result.non2xx ?? 0);
  return {
    opsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p95: result.latency.p97_5 ?? result.latency.p90,
    p99: result.latency.p99,
    failures,
  };
}

export function printTable(rows) {
  const header = ['measurement', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'notes'];
  const fmt = (n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(2)) : '-');
  const lines = rows.map((r) => [r.name, fmt(r.opsPerSecond), fmt(r.p50), fmt(r.p95), fmt(r.p99), r.notes ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${lines.map(line).join('\n')}\n`);
}

/** CPU seconds (user + system) the processes have used so far, summed: from /proc, so other load on the machine does not count. */
export function cpuSeconds(pids) {
  const ticks = pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return sum + Number(fields[11]) + Number(fields[12]);
  }, 0);
  return ticks / 100;
}

/** A local OTLP/HTTP receiver that accepts and discards, as a Collector would receive the exports; counts what arrived. */
export async function startOtlpSink() {
  const received = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk) => (received.bytes += chunk.length));
    req.on('end', () => {
      received.requests += 1;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, server, url: `http://127.0.0.1:${server.address().port}` };
}
