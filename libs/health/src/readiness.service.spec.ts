import type { MemoryHealthIndicator } from '@nestjs/terminus';
import type { ReadinessCheck } from './health.types';
import { ReadinessService } from './readiness.service';

const memory = { checkRSS: async () => ({ memory: { status: 'up' } }) } as unknown as MemoryHealthIndicator;
const check = (name: string, up: boolean, degradesOnly?: boolean): ReadinessCheck => ({ check: async () => ({ up }), degradesOnly, name });
const readiness = (checks: ReadinessCheck[]) =>
  new ReadinessService(checks, { diskPath: '/', diskThreshold: 1, memoryRssMb: 1_000_000 }, memory);

describe('ReadinessService', () => {
  it('is ready with a dependency down that only degrades the service, naming it under degraded', async () => {
    const report = await readiness([check('nats', true), check('redis', false, true)]).report();
    expect([report.status, report.failing, report.degraded, report.checks['redis']?.status]).toEqual(['ok', [], ['redis'], 'down']);
  });

  it('is not ready when a needed dependency is down, whatever the degrading ones do', async () => {
    const report = await readiness([check('nats', false), check('postgres', true), check('redis', false, true)]).report();
    expect([report.status, report.failing, report.degraded]).toEqual(['error', ['nats'], ['redis']]);
    const up = await readiness([check('nats', true), check('redis', true, true)]).report();
    expect([up.status, up.failing, up.degraded]).toEqual(['ok', [], []]);
  });

  it('is not ready while shutting down', async () => {
    const service = readiness([check('nats', true)]);
    service.markShuttingDown();
    expect((await service.report()).failing).toEqual(['lifecycle']);
  });
});
