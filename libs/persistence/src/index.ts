export * from './advisory-lock.util';
export * from './data-source.util';
export * from './database.service';
export * from './persistence.module';
export * from './persistence.types';
export * from './redis.module';
export * from './redis.service';
export * from './export-pages.util';
