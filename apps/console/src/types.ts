// The console API's answers, as docs/console contract and the gateway's DTOs give them (times are Unix seconds).

export type Role = 'owner' | 'admin' | 'editor' | 'normal';

export interface Workspace {
  id: string;
  name: string;
  role: Role;
  created_at: number;
}

export interface WorkspaceListItem extends Workspace {
  current: boolean;
}

export interface AppItem {
  id: string;
  name: string;
  mode: string;
  description: string;
  icon: string;
  icon_background: string;
  enable_api: boolean;
  created_at: number;
}

export interface Paged<T> {
  data: T[];
  has_more: boolean;
  limit: number;
  page?: number;
  total?: number;
}

export interface ImportProblem {
  code: string;
  message: string;
  node_id?: string;
  path?: string;
}

export interface ImportResult {
  id: string;
  status: 'completed' | 'completed-with-warnings' | 'failed';
  app_id: string | null;
  app_mode: string | null;
  error: string;
  problems: ImportProblem[];
  imported_dsl_version: string;
  current_dsl_version: string;
}

export interface ApiKey {
  id: string;
  token: string;
  type: string;
  created_at: number;
  last_used_at: number | null;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded';

export interface RunListItem {
  id: string;
  status: RunStatus;
  triggered_from: string;
  created_from?: string;
  elapsed_time: number;
  total_tokens: number;
  total_steps: number;
  exceptions_count: number;
  error: string | null;
  created_at: number;
  finished_at: number | null;
  created_by_end_user: { id: string; session_id: string } | null;
  created_by_account: { id: string } | null;
  inputs: Record<string, unknown>;
}

export interface GraphNode {
  id: string;
  data: { type: string; title?: string; [key: string]: unknown };
  position?: { x: number; y: number };
  parentId?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface RunDetail {
  id: string;
  status: RunStatus;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error: string | null;
  elapsed_time: number;
  total_tokens: number;
  total_price: string | number | null;
  currency: string | null;
  total_steps: number;
  exceptions_count: number;
  created_at: number;
  finished_at: number | null;
  triggered_from: string;
  created_by_end_user: { id: string; session_id: string } | null;
  workflow_id: string;
  graph: { nodes: GraphNode[]; edges: GraphEdge[] };
  trace_id: string | null;
}

export interface ExecutionMetadata {
  total_tokens?: number;
  total_price?: string | number;
  currency?: string;
  iteration_id?: string;
  iteration_index?: number;
  loop_id?: string;
  loop_index?: number;
  parallel_id?: string;
  parallel_start_node_id?: string;
  retry_index?: number;
}

export interface NodeExecution {
  id: string;
  index: number;
  predecessor_node_id: string | null;
  node_id: string;
  node_type: string;
  title: string;
  inputs: unknown;
  process_data: unknown;
  outputs: unknown;
  status: string;
  error: string | null;
  elapsed_time: number;
  execution_metadata: ExecutionMetadata | null;
  created_at: number;
  finished_at: number | null;
}

export interface Conversation {
  id: string;
  name: string;
  status: string;
  from_end_user_id: string | null;
  from_end_user_session_id: string | null;
  message_count: number;
  created_at: number;
  updated_at: number;
}

export interface Message {
  id: string;
  conversation_id: string;
  query: string;
  answer: string;
  inputs: Record<string, unknown>;
  status: string;
  error: string | null;
  message_tokens: number;
  answer_tokens: number;
  total_price?: string | number | null;
  workflow_run_id: string | null;
  feedback: { rating: 'like' | 'dislike' } | null;
  created_at: number;
}

export interface Dataset {
  id: string;
  name: string;
  description: string | null;
  document_count: number;
  word_count: number;
  indexing_technique: string | null;
  created_at: number;
}

export interface DocumentItem {
  id: string;
  name: string;
  indexing_status: string;
  word_count: number | null;
  tokens?: number | null;
  error: string | null;
  enabled?: boolean;
  created_at: number;
}

export interface Segment {
  id: string;
  position: number;
  content: string;
  word_count: number;
  tokens: number;
  keywords?: string[];
  status?: string;
  enabled?: boolean;
  hit_count?: number;
}

export interface HitRecord {
  segment: { id: string; content: string; document?: { id: string; name: string } | null; position?: number };
  score: number | null;
  [key: string]: unknown;
}

export interface AuditRecord {
  id: string;
  seq: number;
  action: string;
  outcome: string;
  actor: { id: string | null; type: string };
  resource: { id: string | null; type: string };
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  occurred_at: string;
  service: string;
}

export interface AuditPage {
  data: AuditRecord[];
  has_more: boolean;
  limit: number;
  next_cursor: string | null;
}

export type AuditVerification =
  | { result: 'ok'; checked: number; head: { seq: number; hash: string }; checkpoint: { seq: number; previous_hash: string } | null }
  | { result: 'broken'; checked: number; first_broken: Record<string, unknown> };

export interface ServiceInstance {
  instance_id: string;
  version: string;
  uptime_seconds: number;
  ready: boolean;
  dependencies: Record<string, 'up' | 'down'>;
  warnings: string[];
}

export interface SystemStatus {
  status: 'ok' | 'degraded';
  checked_at: number;
  services: {
    name: string;
    status: 'up' | 'degraded' | 'down';
    version: string | null;
    uptime_seconds: number | null;
    dependencies: Record<string, 'up' | 'down'>;
    warnings: string[];
    instances: ServiceInstance[];
  }[];
  queues: { stream: string; consumer: string; pending: number }[];
  links: { grafana: string | null; trace_url_template: string | null };
}
