// The accounting of `npm run chaos` (scripts/chaos/accounting.cjs): each check fails on the case it exists for.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { account, table } = require('../../scripts/chaos/accounting.cjs') as {
  account: (input: {
    requests: {
      detail?: string;
      endedAt?: number;
      outcome: 'ok' | 'wrong' | 'error';
      startedAt?: number;
      status?: number | string;
      user: string;
      via?: string;
    }[];
    runs: { id: string; status: string; user: string }[];
    audited: string[];
    outages?: { from: number; gateway?: string; name: string; to: number }[];
  }) => { counts: Record<string, unknown>; ok: boolean; problems: string[] };
  table: (counts: Record<string, unknown>) => string;
};

describe('chaos accounting', () => {
  const runs = [
    { id: 'r1', status: 'succeeded', user: 'u1' },
    { id: 'r2', status: 'failed', user: 'u2' },
  ];

  it('accounts for a request answered ok and one that failed but whose run ended', () => {
    const result = account({
      audited: ['r1', 'r2'],
      requests: [
        { outcome: 'ok', user: 'u1' },
        { outcome: 'error', status: 500, user: 'u2' },
      ],
      runs,
    });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ answeredError: { 500: 1 }, answeredOk: 1, failedButRunTerminal: 1, runsTerminal: 2, sent: 2 });
    expect(table(result.counts)).toContain('answered with an error                              1 (500: 1)');
  });

  it('fails on a request that failed and left no run', () => {
    const result = account({ audited: ['r1'], requests: [{ outcome: 'error', status: 504, user: 'u3' }], runs: [runs[0]!] });
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ lost: 1 });
  });

  it('fails on a run stuck in running, even for a request answered ok', () => {
    const result = account({
      audited: ['r9'],
      requests: [{ outcome: 'ok', user: 'u9' }],
      runs: [{ id: 'r9', status: 'running', user: 'u9' }],
    });
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ stuck: 1 });
  });

  it('fails on a run without its run.started audit event', () => {
    const result = account({
      audited: ['r1'],
      requests: [
        { outcome: 'ok', user: 'u1' },
        { outcome: 'ok', user: 'u2' },
      ],
      runs,
    });
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ missingAudit: 1 });
    expect(result.problems).toEqual(['run "r2" has no run.started audit event']);
  });

  it('fails on a wrong answer and on a request run twice', () => {
    const result = account({
      audited: ['r1', 'r1b'],
      requests: [{ detail: 'expected HELLO-py', outcome: 'wrong', user: 'u1' }],
      runs: [runs[0]!, { id: 'r1b', status: 'succeeded', user: 'u1' }],
    });
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ answeredWrong: 1, duplicated: 1 });
  });

  it('counts a 5xx without a run during a dependency outage as refused, and only then', () => {
    const outages = [{ from: 1000, name: 'postgres', to: 2000 }];
    const during = { endedAt: 1600, outcome: 'error' as const, startedAt: 1500, status: 503, user: 'u5' };
    const refused = account({ audited: [], outages, requests: [during], runs: [] });
    expect(refused.problems).toEqual([]);
    expect(refused.counts).toMatchObject({ lost: 0, refused: { 'postgres down: 503': 1 } });
    expect(table(refused.counts)).toContain('refused, a dependency or the gateway down (no run)  1 (postgres down: 503: 1)');
    // Outside the outage, a timeout (no HTTP status), or a 4xx: still lost.
    for (const request of [
      { ...during, endedAt: 2600, startedAt: 2500 },
      { ...during, status: 'client-timeout' },
      { ...during, status: 429 },
    ]) {
      const result = account({ audited: [], outages, requests: [request], runs: [] });
      expect(result.ok).toBe(false);
      expect(result.counts).toMatchObject({ lost: 1 });
    }
  });

  it('counts a broken connection without a run as refused only when the gateway it went through was being killed', () => {
    const outages = [{ from: 1000, gateway: 'gateway-1', name: 'gateway-1', to: 2000 }];
    const during = { endedAt: 1600, outcome: 'error' as const, startedAt: 1500, status: 'connection', user: 'u6', via: 'gateway-1' };
    const refused = account({ audited: [], outages, requests: [during], runs: [] });
    expect(refused.problems).toEqual([]);
    expect(refused.counts).toMatchObject({ lost: 0, refused: { 'gateway-1 down: connection': 1 } });
    // A 5xx from that gateway while it was starting again (not ready yet): refused too.
    expect(account({ audited: [], outages, requests: [{ ...during, status: 503 }], runs: [] }).counts).toMatchObject({
      lost: 0,
      refused: { 'gateway-1 down: 503': 1 },
    });
    // Through the other gateway, outside the window, or a 4xx: lost.
    for (const request of [
      { ...during, via: 'gateway-2' },
      { ...during, status: 503, via: 'gateway-2' },
      { ...during, endedAt: 2600, startedAt: 2500 },
      { ...during, status: 429 },
    ]) {
      const result = account({ audited: [], outages, requests: [request], runs: [] });
      expect(result.ok).toBe(false);
      expect(result.counts).toMatchObject({ lost: 1 });
    }
    // Its run was handed on before the gateway died: accounted for once the run ended, stuck if it did not.
    const handedOn = account({ audited: ['r6'], outages, requests: [during], runs: [{ id: 'r6', status: 'succeeded', user: 'u6' }] });
    expect(handedOn.ok).toBe(true);
    expect(handedOn.counts).toMatchObject({ failedButRunTerminal: 1 });
    const stuck = account({ audited: ['r6'], outages, requests: [during], runs: [{ id: 'r6', status: 'running', user: 'u6' }] });
    expect(stuck.ok).toBe(false);
  });
});
