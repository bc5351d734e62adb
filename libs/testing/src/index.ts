export * from './infra';
export * from './poll';
export * from './service-process';
export * from './test-database';
export * from './test-stack';
export * from './tcp-proxy';
export * from './dsl-builder';
export * from './weft-client';
