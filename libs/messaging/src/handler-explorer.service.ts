import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RequestSubject, subjectsOwnedBy } from '@weft/contracts';
import { MessageBus } from './message-bus.service';
import { MESSAGING_OPTIONS, MessageContext, MessagingOptions } from './messaging.types';
import { ON_REQUEST } from './on-request.decorator';

/** Thrown at start-up when the service's handlers do not match the subjects it owns. */
export class HandlerOwnershipError extends Error {
  constructor(problems: string[]) {
    super(`Refusing to start: ${problems.join('; ')}`);
    this.name = 'HandlerOwnershipError';
  }
}

/** Checks that every subject a service owns has exactly one handler and nothing is handled twice. */
export function checkHandlerOwnership(owned: readonly RequestSubject[], counts: Map<RequestSubject, number>): string[] {
  const problems: string[] = [];
  for (const subject of owned) {
    if ((counts.get(subject) ?? 0) === 0) problems.push(`subject "${subject}" is owned by this service but has no handler`);
  }
  for (const [subject, n] of counts) {
    if (n > 1) problems.push(`subject "${subject}" has ${n} handlers`);
  }
  return problems;
}

/** Finds every `@OnRequest` method in the application, registers it on the bus, then connects. */
@Injectable()
export class HandlerExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger(HandlerExplorer.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly bus: MessageBus,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method] as ((payload: unknown, ctx: MessageContext) => Promise<unknown>) | undefined;
        if (typeof fn !== 'function') continue;
        const subject = this.reflector.get<RequestSubject | undefined>(ON_REQUEST, fn);
        if (!subject) continue;
        this.bus.handle(subject, fn.bind(instance) as never);
        this.logger.debug(`Handler "${wrapper.name}.${method}" answers "${subject}"`);
      }
    }
    const problems = checkHandlerOwnership(this.options.handles ?? subjectsOwnedBy(this.options.service), this.bus.handlerCounts());
    if (problems.length > 0) throw new HandlerOwnershipError(problems);
    void this.bus.start();
  }
}
