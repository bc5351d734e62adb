export * from './api-tool.types';
export * from './builtin-tools.catalog';
export * from './tool-parameters.util';
export * from './tool.types';
