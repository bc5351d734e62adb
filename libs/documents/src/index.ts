export * from './document-format.util';
export * from './document.exception';
export * from './document.types';
export * from './extract-text.util';
