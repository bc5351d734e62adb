/** Outbound HTTP to addresses users choose (http-request nodes, model and embedding providers), guarded against SSRF. */
export * from './guarded-fetch.util';
export * from './ssrf-guard.util';
export * from './guarded-web-fetch.util';
export * from './mcp-client.util';
export * from './openai-speech.util';
