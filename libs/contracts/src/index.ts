export * from './audit.contract';
export * from './errors.contract';
export * from './knowledge.contract';
export * from './services.contract';
export * from './subjects.contract';
export * from './system.contract';
export * from './workflow.contract';
export * from './validation.util';
