// The bookkeeping of `npm run chaos`, apart from the processes it kills so a unit test can prove each check
// fails when it should (test/chaos/chaos-accounting.spec.ts). CommonJS so both the script and Jest load it as is.
'use strict';

/**
 * Accounts for every request of a chaos run. `requests`: what each client saw ({ user, outcome: 'ok' | 'wrong'
 * | 'error', status }, one unique `user` per request); `runs`: the runs stored for the chaos apps ({ id, user,
 * status }); `audited`: the run ids that have a `run.started` audit event. A request is accounted for when it
 * was answered correctly, or when it failed but its run exists and ended. Problems: a request lost (failed, no
 * run), answered wrongly, or run twice; a run stuck in `running`; a run without its audit event.
 * `outages` (optional): the windows ({ name, from, to }, epoch ms) while a dependency was down or the services
 * not yet ready again after it. A request that overlapped one (its `startedAt`..`endedAt`), was answered with
 * an HTTP 5xx and left no run was refused before it was accepted: counted as `refused`, not lost.
 * An outage with a `gateway` (the name of a gateway process that was killed, until it is ready again) covers
 * the requests sent through that gateway (`request.via`) whose connection broke (`status: 'connection'`) or
 * that it answered with a 5xx while starting (not ready yet: a load balancer's readiness check would have
 * kept them away): such a client gets no run; one whose run was handed on must find it terminal like any other.
 */
function account({ requests, runs, audited, outages = [] }) {
  const auditedIds = new Set(audited);
  const runsByUser = new Map();
  for (const run of runs) {
    const list = runsByUser.get(run.user) ?? [];
    list.push(run);
    runsByUser.set(run.user, list);
  }
  const counts = {
    sent: requests.length,
    answeredOk: 0,
    answeredWrong: 0,
    answeredError: {},
    failedButRunTerminal: 0,
    refused: {},
    lost: 0,
    duplicated: 0,
    runs: runs.length,
    runsTerminal: 0,
    stuck: 0,
    missingAudit: 0,
  };
  const problems = [];
  for (const request of requests) {
    const own = runsByUser.get(request.user) ?? [];
    if (own.length > 1) {
      counts.duplicated++;
      problems.push(`request of "${request.user}" has ${own.length} runs: ${own.map((r) => r.id).join(', ')}`);
    }
    if (request.outcome === 'ok') {
      counts.answeredOk++;
      continue;
    }
    if (request.outcome === 'wrong') {
      counts.answeredWrong++;
      problems.push(`request of "${request.user}" was answered wrongly: ${request.detail ?? ''}`);
      continue;
    }
    const status = String(request.status ?? 'none');
    counts.answeredError[status] = (counts.answeredError[status] ?? 0) + 1;
    const overlaps = (o) => request.startedAt !== undefined && request.startedAt <= o.to && (request.endedAt ?? Infinity) >= o.from;
    const outage =
      typeof request.status === 'number' && request.status >= 500
        ? outages.find((o) => (!o.gateway || o.gateway === request.via) && overlaps(o))
        : request.status === 'connection' && request.via
          ? outages.find((o) => o.gateway === request.via && overlaps(o))
          : undefined;
    if (own.length === 0 && outage) {
      const key = `${outage.name} down: ${request.status}`;
      counts.refused[key] = (counts.refused[key] ?? 0) + 1;
    } else if (own.length === 0) {
      counts.lost++;
      problems.push(`request of "${request.user}" failed (${status} ${request.detail ?? ''}) and left no run`);
    } else if (own.every((r) => r.status !== 'running')) counts.failedButRunTerminal++;
  }
  for (const run of runs) {
    if (run.status === 'running') {
      counts.stuck++;
      problems.push(`run "${run.id}" is stuck in running`);
    } else counts.runsTerminal++;
    if (!auditedIds.has(run.id)) {
      counts.missingAudit++;
      problems.push(`run "${run.id}" has no run.started audit event`);
    }
  }
  return { counts, ok: problems.length === 0, problems };
}

function refusedText(refused = {}) {
  const entries = Object.entries(refused);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${total}${entries.length ? ` (${entries.map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`;
}

/** The counts as the table the script prints. */
function table(counts) {
  const errors = Object.entries(counts.answeredError)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  const rows = [
    ['requests sent', counts.sent],
    ['answered ok', counts.answeredOk],
    ['answered wrongly', counts.answeredWrong],
    ['answered with an error', `${Object.values(counts.answeredError).reduce((a, b) => a + b, 0)}${errors ? ` (${errors})` : ''}`],
    ['  of which the run ended anyway', counts.failedButRunTerminal],
    ['refused, a dependency or the gateway down (no run)', refusedText(counts.refused)],
    ['lost (failed, no run)', counts.lost],
    ['run more than once', counts.duplicated],
    ['runs stored', counts.runs],
    ['runs terminal', counts.runsTerminal],
    ['runs stuck in running', counts.stuck],
    ['runs missing their run.started audit event', counts.missingAudit],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

module.exports = { account, table };
