export * from './health.controller';
export * from './health.module';
export * from './health.types';
export * from './readiness.service';
