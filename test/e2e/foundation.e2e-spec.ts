import {
  ALL_SERVICES,
  expectEventually,
  freePort,
  infraUrls,
  pollUntil,
  queryDatabase,
  ServiceProcess,
  TcpProxy,
  TestStack,
} from '@weft/testing';

interface SystemStatus {
  status: string;
  services: Array<{
    name: string;
    status: string;
    version: string | null;
    uptime_seconds: number | null;
    dependencies: Record<string, string>;
    instances: Array<{ instance_id: string }>;
  }>;
}

async function systemStatus(stack: TestStack, headers: Record<string, string> = {}): Promise<SystemStatus> {
  const res = await fetch(`${stack.gateway.baseUrl}/v1/system/status`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as SystemStatus;
}

function serviceOf(status: SystemStatus, name: string) {
  const found = status.services.find((s) => s.name === name);
  if (!found) throw new Error(`${name} missing from system status`);
  return found;
}

async function startedEvents(stack: TestStack, service: string) {
  return queryDatabase<{ id: string; resource_id: string }>(
    stack.database.url,
    `SELECT id, resource_id FROM compliance.audit_events WHERE action = 'service.started' AND service = $1`,
    [service],
  );
}

describe('the five services as separate processes', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create({ env: { LOG_LEVEL: 'debug', SYSTEM_STATUS_TIMEOUT_MS: '1500' } });
    await stack.start();
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it.each(ALL_SERVICES.map((s) => [s]))('%s answers /health, /ready, /health/details and /metrics', async (name) => {
    const base = stack.processes[name].baseUrl;
    await systemStatus(stack);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ degraded: [], failing: [], status: 'ok' });
    const details = (await (await fetch(`${base}/health/details`)).json()) as { checks: Record<string, { status: string }> };
    const expected =
      name === 'node-runner' ? ['nats', 'redis', 'disk', 'memory'] : ['nats', 'redis', 'postgres', 'migrations', 'disk', 'memory'];
    expect(Object.keys(details.checks).sort()).toEqual(expected.sort());
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(metrics).toMatch(/dify_requests_total\{method="GET",endpoint="\/ready",status="200"\} \d+/);
    expect(metrics).toContain('dify_request_duration_seconds_bucket');
    expect(metrics).toContain('dify_active_connections');
    expect(metrics).toMatch(/weft_nats_handler_total\{subject="system.status.v1",outcome="ok"\} \d+/);
    // Prometheus asks for OpenMetrics (the format that carries exemplars); counters keep their names either way.
    const open = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' } });
    expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text;.*version=1\.0\.0/);
    const openText = await open.text();
    expect(openText.endsWith('# EOF\n')).toBe(true);
    expect(openText).toMatch(/^dify_requests_total\{method="GET",endpoint="\/ready",status="200"\} \d+/m);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^# TYPE dify_requests_total counter$/m);
    // The consuming service reports its JetStream consumers' backlogs; the orchestrator its runs in flight.
    const consumers: Partial<Record<string, string>> = {
      compliance: 'compliance-audit-trail',
      'node-runner': 'node-runner',
      rag: 'rag-ingestion',
    };
    const consumer = consumers[name];
    if (consumer) {
      await expectEventually(async () =>
        expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
          new RegExp(`^weft_jetstream_backlog_messages\\{[^}]*consumer="${consumer}"[^}]*\\} \\d+$`, 'm'),
        ),
      );
    }
    if (name === 'orchestrator') expect(metrics).toMatch(/^weft_runs_in_flight \d+$/m);
  });

  it('labels HTTP metrics with the route pattern, not the raw path', async () => {
    // A marker that no metric value can contain by chance (a number such as 12345 can: memory bytes).
    await fetch(`${stack.gateway.baseUrl}/no/such/path/raw-path-marker`);
    const metrics = await (await fetch(`${stack.gateway.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/dify_requests_total\{method="GET",endpoint="unmatched",status="404"\}/);
    expect(metrics).not.toContain('raw-path-marker');
  });

  it('answers errors in Dify shape: unknown route, malformed JSON, oversized body', async () => {
    const notFound = await fetch(`${stack.gateway.baseUrl}/v1/nothing-here`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ code: 'not_found', message: 'Cannot GET /v1/nothing-here', status: 404 });
    const malformed = await fetch(`${stack.gateway.baseUrl}/v1/system/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ code: 'bad_request', message: 'The request body is not valid JSON.', status: 400 });
    const huge = await fetch(`${stack.gateway.baseUrl}/v1/system/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { code: string }).code).toBe('request_entity_too_large');
  });

  it('/v1/system/status shows all five services with version, uptime and dependencies', async () => {
    const status = await systemStatus(stack);
    expect(status.status).toBe('ok');
    expect(status.services.map((s) => s.name)).toEqual(ALL_SERVICES);
    for (const s of status.services) {
      expect(s.status).toBe('up');
      expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(s.uptime_seconds).toBeGreaterThanOrEqual(0);
      expect(s.dependencies).toMatchObject({ nats: 'up', redis: 'up' });
      expect(s.instances).toHaveLength(1);
    }
    expect(serviceOf(status, 'compliance').dependencies).toMatchObject({ postgres: 'up', migrations: 'up' });
  });

  it('carries the correlation id from the HTTP request through the NATS hop', async () => {
    const correlationId = `e2e-corr-${Date.now()}`;
    const res = await fetch(`${stack.gateway.baseUrl}/v1/system/status`, { headers: { 'x-correlation-id': correlationId } });
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    await expectEventually(() => {
      const line = stack.processes.orchestrator
        .logs()
        .split('\n')
        .find((l) => l.includes('system.status.v1') && l.includes(correlationId));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ service: 'orchestrator', correlationId });
    });
  });

  it('stores the service.started audit event of every service exactly once', async () => {
    await expectEventually(async () => {
      for (const name of ALL_SERVICES) {
        const rows = await startedEvents(stack, name);
        expect(rows).toHaveLength(1);
        expect(rows[0].resource_id).toMatch(new RegExp(`-${stack.processes[name].pid}$`));
      }
    });
  });

  it('keeps audit events recorded while compliance is down and stores them once it is back', async () => {
    const compliance = stack.processes.compliance;
    expect(await compliance.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const orchestrator = stack.processes.orchestrator;
    expect(await orchestrator.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    orchestrator.start();
    await orchestrator.waitReady();
    const newInstance = `-${orchestrator.pid}`;
    // Compliance is down: nothing can store the event yet.
    expect((await startedEvents(stack, 'orchestrator')).filter((r) => r.resource_id.endsWith(newInstance))).toHaveLength(0);
    compliance.start();
    await compliance.waitReady();
    await expectEventually(async () => {
      const rows = await startedEvents(stack, 'orchestrator');
      expect(rows.filter((r) => r.resource_id.endsWith(newInstance))).toHaveLength(1);
      expect(rows).toHaveLength(2);
    });
    const all = await queryDatabase<{ n: string; distinct_ids: string }>(
      stack.database.url,
      'SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids FROM compliance.audit_events',
    );
    expect(all[0].n).toBe(all[0].distinct_ids);
  });

  it('reports a killed service as down within the timeout, and up again after a restart', async () => {
    const rag = stack.processes.rag;
    // If rag died on its own earlier, say so with its output rather than a bare mismatch.
    if (!rag.isRunning()) throw new Error(`rag was not running before the kill:\n${rag.logs().slice(-3000)}`);
    expect(await rag.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const down = await systemStatus(stack);
    expect(down.status).toBe('degraded');
    expect(serviceOf(down, 'rag')).toMatchObject({ status: 'down', version: null, instances: [] });
    expect(serviceOf(down, 'gateway').status).toBe('up');
    rag.start();
    await rag.waitReady();
    await expectEventually(async () => expect(serviceOf(await systemStatus(stack), 'rag').status).toBe('up'));
  });

  it('finishes an in-flight request on SIGTERM and exits 0', async () => {
    // With a service missing, a status call waits for the whole timeout: a request that is surely in flight.
    expect((await stack.processes['node-runner'].stop('SIGKILL')).signal).toBe('SIGKILL');
    const pending = fetch(`${stack.gateway.baseUrl}/v1/system/status`);
    // In flight: the gateway counts it, besides the metrics request asking.
    await pollUntil(async () => /^dify_active_connections 2$/m.test(await (await fetch(`${stack.gateway.baseUrl}/metrics`)).text()), {
      what: 'the status request to be in flight',
    });
    const exit = stack.gateway.stop('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(serviceOf((await res.json()) as SystemStatus, 'node-runner').status).toBe('down');
    expect(await exit).toEqual({ code: 0, signal: null });
    await expect(fetch(`${stack.gateway.baseUrl}/health`)).rejects.toThrow();
  });
});

describe('system status protection', () => {
  it('requires the configured token when SYSTEM_STATUS_TOKEN is set', async () => {
    const stack = await TestStack.create({ env: { SYSTEM_STATUS_TOKEN: 'status-secret-123' } });
    try {
      await stack.start(['gateway']);
      const url = `${stack.gateway.baseUrl}/v1/system/status`;
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: 'status-secret-123' }];
      for (const headers of attempts) {
        const res = await fetch(url, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
        expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Access token is invalid', status: 401 });
      }
      const ok = await fetch(url, { headers: { authorization: 'Bearer status-secret-123' } });
      expect(ok.status).toBe(200);
      expect(stack.gateway.logs()).not.toContain('status-secret-123');
    } finally {
      await stack.destroy();
    }
  });
});

describe('start-up problems', () => {
  it('stops a service with invalid config, naming every bad variable, exit code 1', async () => {
    const urls = infraUrls();
    const rag = new ServiceProcess('rag', await freePort(), {
      DATABASE_URL: 'mysql://nope',
      DATABASE_POOL_MAX: '0',
      REDIS_URL: urls.redisUrl,
      NATS_URL: urls.natsUrl,
      LOG_LEVEL: 'chatty',
    });
    rag.start();
    expect(await rag.exited()).toEqual({ code: 1, signal: null });
    const output = rag.logs();
    expect(output).toContain('Invalid configuration for rag:');
    expect(output).toContain('DATABASE_URL is invalid: expected a URL starting with postgres:// or postgresql://, got "mysql://nope"');
    expect(output).toContain('DATABASE_POOL_MAX is invalid: expected an integer from 1 to 500, got "0"');
    expect(output).toContain('LOG_LEVEL is invalid');
  });

  it('reports not-ready when disk or memory use is over the configured thresholds', async () => {
    const urls = infraUrls();
    const runner = new ServiceProcess('node-runner', await freePort(), {
      REDIS_URL: urls.redisUrl,
      NATS_URL: urls.natsUrl,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
      READY_DISK_THRESHOLD: '0.01',
      READY_MEMORY_RSS_MB: '64',
    });
    try {
      runner.start();
      const body = await pollUntil(async () => {
        const res = await fetch(`${runner.baseUrl}/ready`);
        const json = (await res.json()) as { failing: string[] };
        // Once its connections are up, only the thresholds keep it from being ready.
        return res.status === 503 && !json.failing.includes('nats') && !json.failing.includes('redis') ? json : undefined;
      });
      expect(body.failing.sort()).toEqual(['disk', 'memory']);
    } finally {
      await runner.stop('SIGTERM');
    }
  });

  it('waits for Postgres and NATS without crashing and becomes ready when they appear; without Redis it is ready, degraded', async () => {
    const urls = infraUrls();
    const stack = await TestStack.create();
    const proxies = {
      postgres: TcpProxy.forUrl(await freePort(), urls.databaseUrl),
      redis: TcpProxy.forUrl(await freePort(), urls.redisUrl),
      nats: TcpProxy.forUrl(await freePort(), urls.natsUrl),
    };
    const compliance = new ServiceProcess('compliance', await freePort(), {
      DATABASE_URL: proxies.postgres.rewrite(stack.database.url),
      REDIS_URL: proxies.redis.rewrite(urls.redisUrl),
      NATS_URL: proxies.nats.rewrite(urls.natsUrl),
      NATS_SUBJECT_PREFIX: stack.natsPrefix,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
    });
    try {
      compliance.start();
      const notReady = await pollUntil(
        async () => {
          const res = await fetch(`${compliance.baseUrl}/ready`);
          return res.status === 503 ? ((await res.json()) as { degraded: string[]; failing: string[] }) : undefined;
        },
        { what: 'compliance to answer 503' },
      );
      expect(notReady.failing).toEqual(expect.arrayContaining(['postgres', 'migrations', 'nats']));
      // Redis down only degrades a service (rate limits and caches fail open): named apart, never failing.
      expect(notReady.failing).not.toContain('redis');
      expect(notReady.degraded).toEqual(['redis']);
      await proxies.nats.up();
      await expectEventually(async () => {
        const body = (await (await fetch(`${compliance.baseUrl}/ready`)).json()) as { failing: string[] };
        expect(body.failing).not.toContain('nats');
        expect(body.failing).toContain('postgres');
      });
      await proxies.postgres.up();
      // Ready with Redis still away, and saying so.
      await compliance.waitReady(30_000);
      expect(await (await fetch(`${compliance.baseUrl}/ready`)).json()).toEqual({ degraded: ['redis'], failing: [], status: 'ok' });
      await proxies.redis.up();
      await expectEventually(async () =>
        expect(await (await fetch(`${compliance.baseUrl}/ready`)).json()).toEqual({ degraded: [], failing: [], status: 'ok' }),
      );
      expect(compliance.isRunning()).toBe(true);
      // And when Postgres goes away again, readiness follows without a restart.
      await proxies.postgres.down();
      await expectEventually(async () => {
        const res = await fetch(`${compliance.baseUrl}/ready`);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { failing: string[] }).failing).toContain('postgres');
      });
      await proxies.postgres.up();
      await compliance.waitReady(30_000);
    } finally {
      await compliance.stop('SIGTERM').catch(() => compliance.stop('SIGKILL'));
      await Promise.all(Object.values(proxies).map((p) => p.down()));
      await stack.destroy();
    }
  });
});
