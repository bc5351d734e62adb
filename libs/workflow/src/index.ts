export * from './conditions';
export * from './dsl';
export * from './variables';
