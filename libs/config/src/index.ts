export * from './config-var';
export * from './load-config';
export * from './fragments.config';
export * from './services.config';
export * from './config-docs';
export * from './runtime-flags.config';
