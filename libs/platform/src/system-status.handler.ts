import { Inject, Injectable } from '@nestjs/common';
import { ServiceStatus } from '@weft/contracts';
import { ReadinessService } from '@weft/health';
import { MessageBus, OnRequest } from '@weft/messaging';
import { SERVICE_IDENTITY, ServiceIdentity } from './service-identity';
import { ServiceNotices } from './service-notices';

/** What this instance says about itself: identity, uptime, the state of each dependency and its warnings. */
export async function describeSelf(
  identity: ServiceIdentity,
  readiness: ReadinessService,
  notices?: ServiceNotices,
): Promise<ServiceStatus> {
  const report = await readiness.report();
  return {
    service: identity.service,
    instanceId: identity.instanceId,
    version: identity.version,
    startedAt: identity.startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - identity.startedAt.getTime()) / 1000),
    ready: report.status === 'ok',
    dependencies: Object.fromEntries(Object.entries(report.checks).map(([name, check]) => [name, check.status])),
    warnings: notices?.list() ?? [],
  };
}

/** Answers the system-status broadcast; every instance of every service runs one. */
@Injectable()
export class SystemStatusHandler {
  constructor(
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly readiness: ReadinessService,
    private readonly notices: ServiceNotices,
    private readonly bus: MessageBus,
  ) {}

  /** With the backlogs of this instance's work queues, for the console's System page. */
  @OnRequest('system.status.v1')
  async status(): Promise<ServiceStatus> {
    const [self, queues] = await Promise.all([
      describeSelf(this.identity, this.readiness, this.notices),
      this.bus.consumerBacklogs(1000).catch(() => []),
    ]);
    return { ...self, queues };
  }
}
