import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_NAMES, ServiceStatus } from '@weft/contracts';
import { ReadinessService } from '@weft/health';
import { MessageBus } from '@weft/messaging';
import { describeSelf, SERVICE_IDENTITY, ServiceIdentity } from '@weft/platform';
import { toServiceStatusResponse, type ConsoleLinks, type ConsoleSystemStatus, type SystemStatusResponse } from './system-status.dto';

export const SYSTEM_STATUS_TIMEOUT_MS = Symbol('SYSTEM_STATUS_TIMEOUT_MS');
export const CONSOLE_LINKS = Symbol('CONSOLE_LINKS');

/** Asks every service instance over NATS at once; whoever has not answered within the timeout is down. */
@Injectable()
export class SystemStatusService {
  constructor(
    private readonly bus: MessageBus,
    private readonly readiness: ReadinessService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(SYSTEM_STATUS_TIMEOUT_MS) private readonly timeoutMs: number,
    @Inject(CONSOLE_LINKS) private readonly links: ConsoleLinks,
  ) {}

  async status(): Promise<SystemStatusResponse> {
    return (await this.statusWithQueues()).status;
  }

  /**
   * The console's System page: the same status, the JetStream work-queue backlogs the instances report (one row per
   * stream and durable consumer, the largest count when several instances share it) and the configured links.
   */
  async consoleStatus(): Promise<ConsoleSystemStatus> {
    const { answers, status } = await this.statusWithQueues();
    const queues = new Map<string, { consumer: string; pending: number; stream: string }>();
    for (const q of answers.flatMap((a) => a.queues ?? [])) {
      const key = `${q.stream}/${q.consumer}`;
      if ((queues.get(key)?.pending ?? -1) < q.pending) queues.set(key, q);
    }
    return {
      ...status,
      links: this.links,
      queues: [...queues.values()].sort((a, b) => a.stream.localeCompare(b.stream) || a.consumer.localeCompare(b.consumer)),
    };
  }

  private async statusWithQueues(): Promise<{ answers: ServiceStatus[]; status: SystemStatusResponse }> {
    const [answers, self] = await Promise.all([this.gather(), describeSelf(this.identity, this.readiness)]);
    // This instance always knows about itself, even when the bus is down.
    if (!answers.some((a) => a.instanceId === self.instanceId)) answers.push(self);
    const services = SERVICE_NAMES.map((name) =>
      toServiceStatusResponse(
        name,
        answers.filter((a) => a.service === name),
      ),
    );
    return {
      answers,
      status: {
        status: services.every((s) => s.status === 'up') ? 'ok' : 'degraded',
        checked_at: Math.floor(Date.now() / 1000),
        services,
      },
    };
  }

  private async gather(): Promise<ServiceStatus[]> {
    if (!this.bus.isConnected()) return [];
    try {
      return await this.bus.gather(
        'system.status.v1',
        {},
        // Stop waiting as soon as every service has answered at least once.
        { timeoutMs: this.timeoutMs, enough: (got) => SERVICE_NAMES.every((name) => got.some((a) => a.service === name)) },
      );
    } catch {
      return [];
    }
  }
}
