import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, MemoryHealthIndicator } from '@nestjs/terminus';
import { statfs } from 'node:fs/promises';
import { HEALTH_OPTIONS, HealthOptions, READINESS_CHECKS, ReadinessCheck } from './health.types';

export interface ReadinessReport {
  status: 'ok' | 'error';
  failing: string[];
  /** Dependencies that are down but only degrade the service (see ReadinessCheck.degradesOnly). */
  degraded: string[];
  checks: Record<string, { status: 'up' | 'down'; [key: string]: unknown }>;
}

/** Runs every readiness check at once and says which ones fail. */
@Injectable()
export class ReadinessService {
  private shuttingDown = false;

  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    private readonly memory: MemoryHealthIndicator,
  ) {}

  /** From now on the service reports not-ready, so load balancers stop sending it work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all([
      ...this.checks.map(async (c) => {
        try {
          const r = await c.check();
          return [c.name, { status: r.up ? 'up' : 'down', ...r.details }] as const;
        } catch (error) {
          return [c.name, { status: 'down', message: (error as Error).message }] as const;
        }
      }),
      this.diskCheck(),
      this.terminus('memory', () => this.memory.checkRSS('memory', this.options.memoryRssMb * 1024 * 1024)),
    ]);
    const checks: ReadinessReport['checks'] = Object.fromEntries(results);
    if (this.shuttingDown) checks.lifecycle = { status: 'down', message: 'shutting down' };
    const degradesOnly = new Set(this.checks.filter((c) => c.degradesOnly).map((c) => c.name));
    const down = Object.entries(checks)
      .filter(([, v]) => v.status === 'down')
      .map(([k]) => k);
    const failing = down.filter((name) => !degradesOnly.has(name));
    const degraded = down.filter((name) => degradesOnly.has(name));
    return { status: failing.length === 0 ? 'ok' : 'error', failing, degraded, checks };
  }

  // Terminus's disk indicator runs `df` in a child process on every call; statfs answers the same
  // question in-process, which matters because /ready and system status are called often.
  private async diskCheck(): Promise<readonly [string, { status: 'up' | 'down'; [key: string]: unknown }]> {
    try {
      const stats = await statfs(this.options.diskPath);
      const usedFraction = 1 - stats.bavail / stats.blocks;
      const status = usedFraction <= this.options.diskThreshold ? 'up' : 'down';
      return ['disk', { status, usedFraction: Math.round(usedFraction * 1000) / 1000, threshold: this.options.diskThreshold }] as const;
    } catch (error) {
      return ['disk', { status: 'down', message: (error as Error).message }] as const;
    }
  }

  private async terminus(
    name: string,
    run: () => Promise<HealthIndicatorResult>,
  ): Promise<readonly [string, { status: 'up' | 'down'; [key: string]: unknown }]> {
    try {
      // Terminus 11 indicators report "down" in the result rather than throwing.
      const result = await run();
      return [name, { ...result[name], status: result[name]?.status === 'up' ? 'up' : 'down' }] as const;
    } catch (error) {
      const causes = (error as { causes?: HealthIndicatorResult }).causes;
      return [name, { ...(causes?.[name] ?? {}), status: 'down', message: (error as Error).message }] as const;
    }
  }
}
