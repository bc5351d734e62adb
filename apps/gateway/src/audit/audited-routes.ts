import { startedRunId } from './started-run.util';
import { field, type AuditedCall, type AuditedOptions } from './audit.interceptor';

const param = (name: string) => (c: AuditedCall) => {
  const value = c.req.params[name] as unknown;
  return Array.isArray(value) ? value.join('/') : value;
};
const keysOf = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).sort() : []);

/** A Service API run: which app, which key (the actor), which end user, how it was asked for. */
const runStarted = (mode: string): AuditedOptions => ({
  action: 'run.started',
  details: (c) => ({
    app_id: c.req.appKey?.app.id ?? null,
    app_mode: c.req.appKey?.app.mode ?? null,
    // The `user` string is often an email or a name: the trail keeps its keyed pseudonym (see docs/privacy.md).
    end_user_hash:
      typeof c.body['user'] === 'string' && c.req.appKey ? c.pseudonyms.of(c.req.appKey.app.workspaceId, c.body['user']) : null,
    input_names: keysOf(c.body['inputs']),
    kind: mode,
    response_mode: c.body['response_mode'] ?? null,
    // The run this request started (assigned by the gateway before the run is dispatched), even when it then failed.
    run_id: startedRunId(),
    workflow_id: c.params['workflowId'] ?? null,
  }),
  handedOnWithRun: true,
  id: (c) => c.req.appKey?.app.id,
  resource: 'app',
});

/**
 * The audited routes of the gateway, by name, for `@Audited(AUDITED_ROUTES.x)` on their handlers. Details
 * carry names and ids only, never values that could be secret or personal (credential values, inputs,
 * document text).
 */
export const AUDITED_ROUTES = {
  annotationChanged: {
    action: 'annotation.changed',
    details: (c) => ({ app_id: c.req.appKey?.app.id ?? null, operation: c.req.method }),
    id: (c) => c.params['annotationId'] ?? field(c.result, 'id'),
    resource: 'annotation',
  },
  annotationReplyChanged: {
    action: 'annotation_reply.changed',
    details: (c) => ({
      embedding_model_name: c.body['embedding_model_name'] ?? null,
      embedding_provider_name: c.body['embedding_provider_name'] ?? null,
      job_id: field(c.result, 'job_id'),
      reply_action: c.params['action'],
    }),
    id: (c) => c.req.appKey?.app.id,
    resource: 'app',
  },
  apiToolProviderAdded: {
    action: 'api_tool_provider.created',
    details: (c) => ({ auth_type: field(c.body, 'credentials', 'auth_type'), schema_type: c.body['schema_type'] ?? null }),
    id: (c) => c.body['provider'],
    resource: 'tool_provider',
  },
  apiToolProviderDeleted: { action: 'api_tool_provider.deleted', id: (c) => c.body['provider'], resource: 'tool_provider' },
  apiToolProviderUpdated: {
    action: 'api_tool_provider.updated',
    details: (c) => ({
      auth_type: field(c.body, 'credentials', 'auth_type'),
      original_provider: c.body['original_provider'] ?? null,
      schema_type: c.body['schema_type'] ?? null,
    }),
    id: (c) => c.body['provider'],
    resource: 'tool_provider',
  },
  appImported: {
    action: 'app.imported',
    details: (c) => ({
      app_mode: field(c.result, 'app_mode'),
      dsl_version: field(c.result, 'imported_dsl_version'),
      import_id: field(c.result, 'id'),
      status: field(c.result, 'status'),
    }),
    failed: (result) => field(result, 'status') === 'failed',
    id: (c) => field(c.result, 'app_id'),
    resource: 'app',
  },
  appPublished: {
    action: 'app.published',
    details: (c) => ({ version: field(c.result, 'version'), workflow_id: field(c.result, 'workflow_id') }),
    id: 'appId',
    resource: 'app',
  },
  chatRunStarted: runStarted('chat'),
  completionRunStarted: runStarted('completion'),
  datasetCreated: {
    action: 'dataset.created',
    details: (c) => ({ name: field(c.result, 'name') }),
    id: (c) => field(c.result, 'id'),
    resource: 'dataset',
  },
  datasetDeleted: { action: 'dataset.deleted', id: 'datasetId', resource: 'dataset' },
  datasetMetadataChanged: {
    action: 'dataset.metadata.changed',
    details: (c) => ({ metadata_id: c.params['metadataId'] ?? null, operation: c.req.method }),
    id: 'datasetId',
    resource: 'dataset',
  },
  datasetTagsChanged: {
    action: 'dataset.tags.changed',
    details: (c) => ({
      operation: c.req.path.endsWith('/unbinding') ? 'unbind' : 'bind',
      tag_ids: Array.isArray(c.body['tag_ids'])
        ? c.body['tag_ids'].slice(0, 100)
        : typeof c.body['tag_id'] === 'string'
          ? [c.body['tag_id']]
          : [],
    }),
    id: (c) => c.body['target_id'],
    resource: 'dataset',
  },
  datasetUpdated: { action: 'dataset.updated', details: (c) => ({ fields: keysOf(c.body) }), id: 'datasetId', resource: 'dataset' },
  documentCreated: {
    action: 'document.created',
    details: (c) => ({ batch: field(c.result, 'batch'), dataset_id: c.params['datasetId'], name: field(c.result, 'document', 'name') }),
    id: (c) => field(c.result, 'document', 'id'),
    resource: 'document',
  },
  documentDeleted: {
    action: 'document.deleted',
    details: (c) => ({ dataset_id: c.params['datasetId'] }),
    id: 'documentId',
    resource: 'document',
  },
  documentMetadataChanged: {
    action: 'document.metadata.changed',
    details: (c) => ({ dataset_id: c.params['datasetId'] }),
    id: 'datasetId',
    resource: 'dataset',
  },
  documentStatusChanged: {
    action: 'document.status.changed',
    details: (c) => ({
      dataset_id: c.params['datasetId'],
      document_ids: Array.isArray(c.body['document_ids']) ? c.body['document_ids'].slice(0, 100) : [],
      status_action: c.params['action'],
    }),
    id: 'datasetId',
    resource: 'dataset',
  },
  documentUpdated: {
    action: 'document.updated',
    details: (c) => ({ batch: field(c.result, 'batch'), dataset_id: c.params['datasetId'] }),
    id: 'documentId',
    resource: 'document',
  },
  knowledgeTagChanged: {
    action: 'knowledge_tag.changed',
    details: (c) => ({ operation: c.req.method }),
    id: (c) => field(c.result, 'id') ?? c.body['tag_id'],
    resource: 'knowledge_tag',
  },
  providerCredentialsUpdated: {
    action: 'provider_credentials.updated',
    details: (c) => ({ fields: keysOf(c.body['credentials']) }),
    id: param('provider'),
    resource: 'model_provider',
  },
  mcpProviderCreated: {
    action: 'mcp_provider.created',
    details: (c) => ({ header_names: keysOf(c.body['headers']), server_identifier: c.body['server_identifier'] ?? null }),
    id: (c) => field(c.result, 'id'),
    resource: 'tool_provider',
  },
  mcpProviderDeleted: {
    action: 'mcp_provider.deleted',
    id: (c) => c.body['provider_id'],
    resource: 'tool_provider',
  },
  mcpProviderUpdated: {
    action: 'mcp_provider.updated',
    details: (c) => ({ header_names: keysOf(c.body['headers']), server_identifier: c.body['server_identifier'] ?? null }),
    id: (c) => c.body['provider_id'],
    resource: 'tool_provider',
  },
  toolProviderCredentialsDeleted: {
    action: 'tool_provider_credentials.deleted',
    id: param('provider'),
    resource: 'tool_provider',
  },
  toolProviderCredentialsUpdated: {
    action: 'tool_provider_credentials.updated',
    details: (c) => ({ fields: keysOf(c.body['credentials']) }),
    id: param('provider'),
    resource: 'tool_provider',
  },
  segmentsChanged: {
    action: 'document.segments.changed',
    details: (c) => ({ dataset_id: c.params['datasetId'], operation: c.req.method, segment_id: c.params['segmentId'] ?? null }),
    id: 'documentId',
    resource: 'document',
  },
  workflowRunStarted: runStarted('workflow'),
} satisfies Record<string, AuditedOptions>;
