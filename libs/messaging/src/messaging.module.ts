import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HandlerExplorer } from './handler-explorer.service';
import { JetStreamBacklogReporter } from './jetstream-backlog.service';
import { MessageBus } from './message-bus.service';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.types';

/** The message bus for one service: handlers discovered from `@OnRequest`, connection in the background. */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, MessageBus, HandlerExplorer, JetStreamBacklogReporter],
      exports: [MessageBus],
    };
  }
}
