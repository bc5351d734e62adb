/** Metric names shared by code, dashboards and alert rules. HTTP names follow Dify's for dashboard compatibility. */
export const METRIC = {
  activeConnections: 'dify_active_connections',
  busMessageDuration: 'weft_nats_handler_duration_seconds',
  busMessages: 'weft_nats_handler_total',
  llmRequestDuration: 'dify_llm_request_duration_seconds',
  llmTokens: 'dify_llm_tokens_total',
  nodeDuration: 'weft_node_duration_seconds',
  requestDuration: 'dify_request_duration_seconds',
  requestsTotal: 'dify_requests_total',
} as const;
