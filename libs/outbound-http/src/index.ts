/** Outbound HTTP to addresses users choose (http-request nodes, model and embedding providers), guarded against SSRF. */
export * from './guarded-fetch.util';
export * from './ssrf-guard.util';
