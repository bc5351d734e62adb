import { toServiceStatusResponse } from './system-status.dto';

const answer = (instanceId: string, uptimeSeconds: number, ready: boolean, redis: 'up' | 'down') => ({
  service: 'rag' as const,
  instanceId,
  version: '0.1.0',
  startedAt: '2026-11-26T00:00:00Z',
  uptimeSeconds,
  ready,
  dependencies: { nats: 'up' as const, redis },
});

describe('toServiceStatusResponse', () => {
  it('reports a service without answers as down', () => {
    expect(toServiceStatusResponse('rag', [])).toMatchObject({ name: 'rag', status: 'down', version: null, instances: [] });
  });

  it('merges replicas: up if one is ready, a dependency down if any sees it down', () => {
    const status = toServiceStatusResponse('rag', [answer('a', 10, true, 'up'), answer('b', 99, false, 'down')]);
    expect(status.status).toBe('up');
    expect(status.uptime_seconds).toBe(99);
    expect(status.dependencies).toEqual({ nats: 'up', redis: 'down' });
    expect(status.instances.map((i) => i.instance_id)).toEqual(['a', 'b']);
  });

  it('reports degraded when no instance is ready', () => {
    expect(toServiceStatusResponse('rag', [answer('a', 1, false, 'down')]).status).toBe('degraded');
  });
});
