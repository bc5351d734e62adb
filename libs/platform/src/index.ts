export * from './bootstrap';
export * from './http-error.filter';
export * from './platform.module';
export * from './request-context.middleware';
export * from './service-identity';
export * from './service-notices';
export * from './system-status.handler';
export * from './request-client.decorator';
