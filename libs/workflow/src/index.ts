export * from './conditions';
export * from './dsl';
export * from './templates';
export * from './variables';
