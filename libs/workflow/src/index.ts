export * from './conditions';
export * from './dsl';
export * from './nodes';
export * from './templates';
export * from './variables';
export * from './tools';
