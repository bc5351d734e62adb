export * from './handler-explorer.service';
export * from './jetstream-backlog.service';
export * from './message-bus.service';
export * from './messaging.module';
export * from './messaging.types';
export * from './on-request.decorator';
export * from './nats-credentials.util';
