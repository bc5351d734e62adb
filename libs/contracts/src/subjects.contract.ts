import {
  AnnotationJobDetailSchema,
  AnnotationJobSchema,
  AnnotationJobStatusRequestSchema,
  AnnotationPageSchema,
  AnnotationRecordSchema,
  AnnotationReplyRequestSchema,
  AnnotationSettingRequestSchema,
  AnnotationSettingSchema,
  CreateAnnotationRequestSchema,
  DeleteAnnotationRequestSchema,
  DeleteAnnotationResponseSchema,
  EmbedRequestSchema,
  EmbedResponseSchema,
  ListAnnotationsRequestSchema,
  UpdateAnnotationRequestSchema,
} from './annotations.contract';
import { ApiKeyRevokedSchema } from './api-keys.contract';
import { z } from 'zod';
import {
  McpListToolsRequestSchema,
  McpListToolsResponseSchema,
  ToolFileCreateRequestSchema,
  ToolFileCreateResponseSchema,
  ToolFileLookupRequestSchema,
  ToolFileLookupResponseSchema,
  ToolProviderLookupRequestSchema,
  ToolProviderLookupResponseSchema,
} from './tools.contract';
import { AuditEventSchema } from './audit.contract';
import {
  ConversationPageSchema,
  ConversationRecordSchema,
  ConversationVariableRecordSchema,
  DeleteConversationRequestSchema,
  DeleteConversationResponseSchema,
  ListAppFeedbacksRequestSchema,
  ListAppFeedbacksResponseSchema,
  ListConversationsRequestSchema,
  AppConversationPageSchema,
  AppMessagePageSchema,
  ListAppConversationsRequestSchema,
  ListAppMessagesRequestSchema,
  ListConversationVariablesRequestSchema,
  ListConversationVariablesResponseSchema,
  ListMessagesRequestSchema,
  MessageAnswerRequestSchema,
  MessageAnswerResponseSchema,
  MessageFeedbackRequestSchema,
  MessageFeedbackResponseSchema,
  MessagePageSchema,
  RenameConversationRequestSchema,
  SuggestedQuestionsRequestSchema,
  SuggestedQuestionsResponseSchema,
  UpdateConversationVariableRequestSchema,
} from './conversations.contract';
import {
  ListAuditLogsRequestSchema,
  ListAuditLogsResponseSchema,
  VerifyAuditTrailRequestSchema,
  VerifyAuditTrailResponseSchema,
  VerifyWorkspaceAuditTrailRequestSchema,
  VerifyWorkspaceAuditTrailResponseSchema,
} from './audit-trail.contract';
import {
  ChildChunkPageSchema,
  ChildChunkRequestSchema,
  ChildChunkResponseSchema,
  CreateDatasetRequestSchema,
  CreateDocumentRequestSchema,
  CreateDocumentResponseSchema,
  CreateSegmentsRequestSchema,
  DatasetChangedSchema,
  DatasetRequestSchema,
  DeletedResponseSchema,
  DocumentRequestSchema,
  DocumentStatusRequestSchema,
  IndexingStatusRequestSchema,
  IndexingStatusResponseSchema,
  IngestJobSchema,
  KnowledgeObjectSchema,
  KnowledgePageSchema,
  ListDatasetsRequestSchema,
  ListChildChunksRequestSchema,
  ListDocumentsRequestSchema,
  ListSegmentsRequestSchema,
  MetadataRequestSchema,
  RetrieveRequestSchema,
  RetrieveResponseSchema,
  SegmentPageSchema,
  SegmentRequestSchema,
  SegmentResponseSchema,
  SegmentsResponseSchema,
  TagRequestSchema,
  TagResponseSchema,
  UpdateDatasetRequestSchema,
  UpdateSegmentRequestSchema,
  WriteChildChunkRequestSchema,
} from './knowledge.contract';
import {
  SetLegalHoldRequestSchema,
  SetWorkspaceRetentionRequestSchema,
  WorkspaceRetentionRequestSchema,
  WorkspaceRetentionSchema,
} from './retention.contract';
import {
  ClaimExportRequestSchema,
  ClaimExportResponseSchema,
  DataExportSchema,
  EraseStepRequestSchema,
  FindEndUsersRequestSchema,
  FindEndUsersResponseSchema,
  EraseStepResponseSchema,
  ErasureStatusRequestSchema,
  ResumeErasureRequestSchema,
  ErasureStatusSchema,
  ExportPageRequestSchema,
  ExportPageResponseSchema,
  ExportStatusRequestSchema,
  LegalHoldSchema,
  ListLegalHoldsRequestSchema,
  ListLegalHoldsResponseSchema,
  PlaceLegalHoldRequestSchema,
  ReleaseLegalHoldRequestSchema,
  StartErasureRequestSchema,
  StartErasureResponseSchema,
  StartExportRequestSchema,
  StartExportResponseSchema,
} from './privacy.contract';
import { ServiceName } from './services.contract';
import { ServiceStatusSchema, SystemStatusRequestSchema } from './system.contract';
import {
  CancelNodeJobSchema,
  CancelRunSchema,
  GenerateTextRequestSchema,
  GenerateTextResponseSchema,
  GetRunRequestSchema,
  GetWorkflowRequestSchema,
  ListRunsRequestSchema,
  ListRunsResponseSchema,
  PageRunsRequestSchema,
  PageRunsResponseSchema,
  NodeChunkSchema,
  NodeJobSchema,
  NodeResultSchema,
  ProviderCredentialsRequestSchema,
  ProviderCredentialsResponseSchema,
  PublishRequestSchema,
  PublishResponseSchema,
  RunHistorySchema,
  RunRecordSchema,
  RunEndingSchema,
  RunStreamEventSchema,
  SaveDraftRequestSchema,
  SaveDraftResponseSchema,
  StartRunRequestSchema,
  StartRunResponseSchema,
  StopRunRequestSchema,
  StopRunResponseSchema,
  UploadFileRequestSchema,
  UploadFileResponseSchema,
  StartFormSchema,
  ExportDslRequestSchema,
  ExportDslResponseSchema,
  ImportDslRequestSchema,
  ImportDslResponseSchema,
  WorkflowRecordSchema,
  DeleteAppRequestSchema,
  DeletedRowsSchema,
} from './workflow.contract';

/**
 * A request/reply subject. `owner` is the service that must handle it exactly once (a queue group
 * across replicas); `broadcast` subjects are answered by every instance of every service instead.
 */
export interface RequestContract<Req, Res> {
  readonly kind: 'request';
  readonly owner: ServiceName | 'broadcast';
  /** The services that may send this request: the bus refuses others, and so does NATS (see bus-permissions.util.ts). */
  readonly callers: readonly ServiceName[];
  readonly request: z.ZodType<Req, z.ZodTypeDef, unknown>;
  readonly response: z.ZodType<Res, z.ZodTypeDef, unknown>;
}

/** A durable event subject carried by a JetStream stream. */
export interface EventContract<E> {
  readonly kind: 'event';
  /** The services that may publish it and those that may consume the stream. */
  readonly publishers: readonly ServiceName[];
  readonly consumers: readonly ServiceName[];
  readonly payload: z.ZodType<E, z.ZodTypeDef, unknown>;
  readonly stream: StreamName;
}

/**
 * A core NATS publish/subscribe subject: fire-and-forget, for what is live and cheap to lose (run events
 * are also stored; a cancel is also recorded in Postgres). Keyed topics put a key after the subject
 * (`wf.run.event.v1.<runId>`) so a subscriber hears only its own.
 */
export interface TopicContract<P> {
  readonly kind: 'topic';
  /** The services that may publish on the topic and those that may listen to it. */
  readonly publishers: readonly ServiceName[];
  readonly listeners: readonly ServiceName[];
  readonly keyed: boolean;
  readonly payload: z.ZodType<P, z.ZodTypeDef, unknown>;
}

/**
 * JetStream streams: what must survive a crash. Names get the NATS subject prefix in tests. A
 * `workqueue` stream deletes each message once a consumer acks it. Every publisher and consumer may
 * create a missing stream with this configuration; only its `manager` may change an existing one.
 */
export const STREAMS = {
  AUDIT: {
    subjects: ['audit.event.v1'],
    maxAgeSeconds: 7 * 24 * 3600,
    duplicateWindowSeconds: 3600,
    retention: 'limits',
    manager: 'compliance',
  },
  KB_INGEST: {
    subjects: ['kb.ingest.v1'],
    maxAgeSeconds: 7 * 24 * 3600,
    duplicateWindowSeconds: 120,
    retention: 'workqueue',
    manager: 'rag',
  },
  WF_NODES: {
    subjects: ['wf.node.execute.v1'],
    maxAgeSeconds: 24 * 3600,
    duplicateWindowSeconds: 120,
    retention: 'workqueue',
    manager: 'orchestrator',
  },
} as const satisfies Record<
  string,
  {
    subjects: readonly string[];
    maxAgeSeconds: number;
    duplicateWindowSeconds: number;
    retention: 'limits' | 'workqueue';
    manager: ServiceName;
  }
>;
export type StreamName = keyof typeof STREAMS;

const request = <Req, Res>(
  owner: ServiceName | 'broadcast',
  callers: readonly ServiceName[],
  req: z.ZodType<Req, z.ZodTypeDef, unknown>,
  res: z.ZodType<Res, z.ZodTypeDef, unknown>,
): RequestContract<Req, Res> => ({ kind: 'request', owner, callers, request: req, response: res });

const topic = <P>(
  keyed: boolean,
  access: { listeners: readonly ServiceName[]; publishers: readonly ServiceName[] },
  payload: z.ZodType<P, z.ZodTypeDef, unknown>,
): TopicContract<P> => ({ kind: 'topic', keyed, ...access, payload });

const event = <E>(
  stream: StreamName,
  access: { consumers: readonly ServiceName[]; publishers: readonly ServiceName[] },
  payload: z.ZodType<E, z.ZodTypeDef, unknown>,
): EventContract<E> => ({ kind: 'event', ...access, payload, stream });

/**
 * Every NATS subject Weft uses, with its version in the name, its payload schemas and who may use it:
 * the owner and callers of a request, the publishers and listeners of a topic, the publishers and
 * consumers of an event. The bus checks every use against this table, and each service's NATS
 * permissions are derived from it (bus-permissions.util.ts, deploy/nats/permissions.json).
 */
export const CONTRACTS = {
  'audit.event.v1': event(
    'AUDIT',
    { consumers: ['compliance'], publishers: ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'] },
    AuditEventSchema,
  ),
  'gateway.api-key.revoked.v1': topic(false, { listeners: ['gateway'], publishers: ['gateway'] }, ApiKeyRevokedSchema),
  'audit.logs.v1': request('compliance', ['gateway'], ListAuditLogsRequestSchema, ListAuditLogsResponseSchema),
  'audit.verify.v1': request('compliance', ['gateway'], VerifyAuditTrailRequestSchema, VerifyAuditTrailResponseSchema),
  'audit.verify.workspace.v1': request(
    'compliance',
    ['gateway'],
    VerifyWorkspaceAuditTrailRequestSchema,
    VerifyWorkspaceAuditTrailResponseSchema,
  ),
  'kb.child-chunk.create.v1': request('rag', ['gateway'], WriteChildChunkRequestSchema, ChildChunkResponseSchema),
  'kb.child-chunk.delete.v1': request('rag', ['gateway'], ChildChunkRequestSchema, DeletedResponseSchema),
  'kb.child-chunk.list.v1': request('rag', ['gateway'], ListChildChunksRequestSchema, ChildChunkPageSchema),
  'kb.child-chunk.update.v1': request('rag', ['gateway'], WriteChildChunkRequestSchema, ChildChunkResponseSchema),
  'kb.dataset.changed.v1': topic(false, { listeners: ['rag'], publishers: ['rag'] }, DatasetChangedSchema),
  'kb.dataset.create.v1': request('rag', ['gateway'], CreateDatasetRequestSchema, KnowledgeObjectSchema),
  'kb.dataset.delete.v1': request('rag', ['gateway'], DatasetRequestSchema, DeletedResponseSchema),
  'kb.dataset.get.v1': request('rag', ['gateway', 'node-runner'], DatasetRequestSchema, KnowledgeObjectSchema),
  'kb.dataset.list.v1': request('rag', ['gateway'], ListDatasetsRequestSchema, KnowledgePageSchema),
  'kb.dataset.update.v1': request('rag', ['gateway'], UpdateDatasetRequestSchema, KnowledgeObjectSchema),
  'kb.document.create.v1': request('rag', ['gateway'], CreateDocumentRequestSchema, CreateDocumentResponseSchema),
  'kb.document.delete.v1': request('rag', ['gateway'], DocumentRequestSchema, DeletedResponseSchema),
  'kb.document.get.v1': request('rag', ['gateway'], DocumentRequestSchema, KnowledgeObjectSchema),
  'kb.document.indexing-status.v1': request('rag', ['gateway'], IndexingStatusRequestSchema, IndexingStatusResponseSchema),
  'kb.document.list.v1': request('rag', ['gateway'], ListDocumentsRequestSchema, KnowledgePageSchema),
  'kb.document.set-status.v1': request('rag', ['gateway'], DocumentStatusRequestSchema, DeletedResponseSchema),
  'kb.embed.v1': request('rag', ['orchestrator'], EmbedRequestSchema, EmbedResponseSchema),
  'kb.ingest.v1': event('KB_INGEST', { consumers: ['rag'], publishers: ['rag'] }, IngestJobSchema),
  'kb.metadata.v1': request('rag', ['gateway'], MetadataRequestSchema, KnowledgeObjectSchema),
  'kb.retrieve.v1': request('rag', ['gateway', 'node-runner'], RetrieveRequestSchema, RetrieveResponseSchema),
  'kb.segment.create.v1': request('rag', ['gateway'], CreateSegmentsRequestSchema, SegmentsResponseSchema),
  'kb.segment.delete.v1': request('rag', ['gateway'], SegmentRequestSchema, DeletedResponseSchema),
  'kb.segment.get.v1': request('rag', ['gateway'], SegmentRequestSchema, SegmentResponseSchema),
  'kb.segment.list.v1': request('rag', ['gateway'], ListSegmentsRequestSchema, SegmentPageSchema),
  'kb.segment.update.v1': request('rag', ['gateway'], UpdateSegmentRequestSchema, SegmentResponseSchema),
  'kb.tag.v1': request('rag', ['gateway'], TagRequestSchema, TagResponseSchema),
  'gateway.end-users.find.v1': request('gateway', ['orchestrator'], FindEndUsersRequestSchema, FindEndUsersResponseSchema),
  'gateway.provider-credentials.v1': request(
    'gateway',
    ['node-runner', 'rag'],
    ProviderCredentialsRequestSchema,
    ProviderCredentialsResponseSchema,
  ),
  'gateway.tool-file.create.v1': request('gateway', ['node-runner'], ToolFileCreateRequestSchema, ToolFileCreateResponseSchema),
  'gateway.tool-file.v1': request('gateway', ['node-runner'], ToolFileLookupRequestSchema, ToolFileLookupResponseSchema),
  'gateway.tool-provider.v1': request('gateway', ['node-runner'], ToolProviderLookupRequestSchema, ToolProviderLookupResponseSchema),
  'gateway.upload-file.v1': request('gateway', ['node-runner'], UploadFileRequestSchema, UploadFileResponseSchema),
  'privacy.erase.gateway.v1': request('gateway', ['compliance'], EraseStepRequestSchema, EraseStepResponseSchema),
  'privacy.erase.orchestrator.v1': request('orchestrator', ['compliance'], EraseStepRequestSchema, EraseStepResponseSchema),
  'privacy.erase.rag.v1': request('rag', ['compliance'], EraseStepRequestSchema, EraseStepResponseSchema),
  'privacy.erasure.start.v1': request('compliance', ['gateway'], StartErasureRequestSchema, StartErasureResponseSchema),
  'privacy.erasure.status.v1': request('compliance', ['gateway'], ErasureStatusRequestSchema, ErasureStatusSchema),
  'privacy.erasure.resume.v1': request('compliance', ['gateway'], ResumeErasureRequestSchema, ErasureStatusSchema),
  'privacy.export.claim.v1': request('compliance', ['gateway'], ClaimExportRequestSchema, ClaimExportResponseSchema),
  'privacy.export.gateway.v1': request('gateway', ['compliance'], ExportPageRequestSchema, ExportPageResponseSchema),
  'privacy.export.orchestrator.v1': request('orchestrator', ['compliance'], ExportPageRequestSchema, ExportPageResponseSchema),
  'privacy.export.rag.v1': request('rag', ['compliance'], ExportPageRequestSchema, ExportPageResponseSchema),
  'privacy.export.start.v1': request('compliance', ['gateway'], StartExportRequestSchema, StartExportResponseSchema),
  'privacy.export.status.v1': request('compliance', ['gateway'], ExportStatusRequestSchema, DataExportSchema),
  'privacy.legal-hold.list.v1': request('compliance', ['gateway'], ListLegalHoldsRequestSchema, ListLegalHoldsResponseSchema),
  'privacy.legal-hold.place.v1': request('compliance', ['gateway'], PlaceLegalHoldRequestSchema, LegalHoldSchema),
  'privacy.legal-hold.release.v1': request('compliance', ['gateway'], ReleaseLegalHoldRequestSchema, LegalHoldSchema),
  'system.status.v1': request('broadcast', ['gateway'], SystemStatusRequestSchema, ServiceStatusSchema),
  'wf.annotation.create.v1': request('orchestrator', ['gateway'], CreateAnnotationRequestSchema, AnnotationRecordSchema),
  'wf.annotation.delete.v1': request('orchestrator', ['gateway'], DeleteAnnotationRequestSchema, DeleteAnnotationResponseSchema),
  'wf.annotation.list.v1': request('orchestrator', ['gateway'], ListAnnotationsRequestSchema, AnnotationPageSchema),
  'wf.annotation.reply.v1': request('orchestrator', ['gateway'], AnnotationReplyRequestSchema, AnnotationJobSchema),
  'wf.annotation.reply-status.v1': request('orchestrator', ['gateway'], AnnotationJobStatusRequestSchema, AnnotationJobDetailSchema),
  'wf.annotation.setting.v1': request('orchestrator', ['gateway'], AnnotationSettingRequestSchema, AnnotationSettingSchema),
  'wf.annotation.update.v1': request('orchestrator', ['gateway'], UpdateAnnotationRequestSchema, AnnotationRecordSchema),
  'wf.conversation.app-list.v1': request('orchestrator', ['gateway'], ListAppConversationsRequestSchema, AppConversationPageSchema),
  'wf.conversation.delete.v1': request('orchestrator', ['gateway'], DeleteConversationRequestSchema, DeleteConversationResponseSchema),
  'wf.conversation.list.v1': request('orchestrator', ['gateway'], ListConversationsRequestSchema, ConversationPageSchema),
  'wf.conversation.rename.v1': request('orchestrator', ['gateway'], RenameConversationRequestSchema, ConversationRecordSchema),
  'wf.conversation.variables.list.v1': request(
    'orchestrator',
    ['gateway'],
    ListConversationVariablesRequestSchema,
    ListConversationVariablesResponseSchema,
  ),
  'wf.conversation.variables.update.v1': request(
    'orchestrator',
    ['gateway'],
    UpdateConversationVariableRequestSchema,
    ConversationVariableRecordSchema,
  ),
  'wf.message.app-list.v1': request('orchestrator', ['gateway'], ListAppMessagesRequestSchema, AppMessagePageSchema),
  'wf.message.answer.v1': request('orchestrator', ['gateway'], MessageAnswerRequestSchema, MessageAnswerResponseSchema),
  'wf.message.feedback.list.v1': request('orchestrator', ['gateway'], ListAppFeedbacksRequestSchema, ListAppFeedbacksResponseSchema),
  'wf.message.feedback.v1': request('orchestrator', ['gateway'], MessageFeedbackRequestSchema, MessageFeedbackResponseSchema),
  'wf.message.list.v1': request('orchestrator', ['gateway'], ListMessagesRequestSchema, MessagePageSchema),
  'wf.message.suggested.v1': request('orchestrator', ['gateway'], SuggestedQuestionsRequestSchema, SuggestedQuestionsResponseSchema),
  'wf.model.generate.v1': request('node-runner', ['orchestrator'], GenerateTextRequestSchema, GenerateTextResponseSchema),
  'wf.node.cancel.v1': topic(false, { listeners: ['node-runner'], publishers: ['orchestrator'] }, CancelNodeJobSchema),
  'wf.node.chunk.v1': topic(true, { listeners: ['orchestrator'], publishers: ['node-runner'] }, NodeChunkSchema),
  'wf.node.execute.v1': event('WF_NODES', { consumers: ['node-runner'], publishers: ['orchestrator'] }, NodeJobSchema),
  'wf.node.result.v1': topic(true, { listeners: ['orchestrator'], publishers: ['node-runner'] }, NodeResultSchema),
  'wf.legal-hold.set.v1': request('orchestrator', ['compliance'], SetLegalHoldRequestSchema, WorkspaceRetentionSchema),
  'wf.tool.mcp.list.v1': request('node-runner', ['gateway'], McpListToolsRequestSchema, McpListToolsResponseSchema),
  'wf.retention.get.v1': request('orchestrator', ['gateway'], WorkspaceRetentionRequestSchema, WorkspaceRetentionSchema),
  'wf.retention.set.v1': request('orchestrator', ['gateway'], SetWorkspaceRetentionRequestSchema, WorkspaceRetentionSchema),
  'wf.run.cancel.v1': topic(false, { listeners: ['orchestrator'], publishers: ['orchestrator'] }, CancelRunSchema),
  'wf.run.ending.v1': request('orchestrator', ['gateway'], GetRunRequestSchema, RunEndingSchema),
  // The events that end a run, published again on their own: a blocking caller waits for these only.
  'wf.run.ended.v1': topic(true, { listeners: ['gateway'], publishers: ['orchestrator'] }, RunStreamEventSchema),
  'wf.run.event.v1': topic(true, { listeners: ['gateway'], publishers: ['orchestrator'] }, RunStreamEventSchema),
  'wf.run.get.v1': request('orchestrator', ['gateway'], GetRunRequestSchema, RunRecordSchema),
  'wf.run.history.v1': request('orchestrator', ['gateway'], GetRunRequestSchema, RunHistorySchema),
  'wf.run.list.v1': request('orchestrator', ['gateway'], ListRunsRequestSchema, ListRunsResponseSchema),
  'wf.run.page.v1': request('orchestrator', ['gateway'], PageRunsRequestSchema, PageRunsResponseSchema),
  'wf.run.start.v1': request('orchestrator', ['gateway'], StartRunRequestSchema, StartRunResponseSchema),
  'wf.run.stop.v1': request('orchestrator', ['gateway'], StopRunRequestSchema, StopRunResponseSchema),
  'wf.app.delete.v1': request('orchestrator', ['gateway'], DeleteAppRequestSchema, DeletedRowsSchema),
  'wf.workflow.export.v1': request('orchestrator', ['gateway'], ExportDslRequestSchema, ExportDslResponseSchema),
  'wf.workflow.get.v1': request('orchestrator', ['gateway'], GetWorkflowRequestSchema, WorkflowRecordSchema),
  'wf.workflow.import.v1': request('orchestrator', ['gateway'], ImportDslRequestSchema, ImportDslResponseSchema),
  'wf.workflow.start-form.v1': request('orchestrator', ['gateway'], GetWorkflowRequestSchema, StartFormSchema),
  'wf.workflow.publish.v1': request('orchestrator', ['gateway'], PublishRequestSchema, PublishResponseSchema),
  'wf.workflow.save-draft.v1': request('orchestrator', [], SaveDraftRequestSchema, SaveDraftResponseSchema),
} as const;

export type Contracts = typeof CONTRACTS;
export type Subject = keyof Contracts;
export type RequestSubject = { [S in Subject]: Contracts[S] extends RequestContract<unknown, unknown> ? S : never }[Subject];
export type EventSubject = { [S in Subject]: Contracts[S] extends EventContract<unknown> ? S : never }[Subject];
export type RequestOf<S extends RequestSubject> = Contracts[S] extends RequestContract<infer Req, unknown> ? Req : never;
export type ResponseOf<S extends RequestSubject> = Contracts[S] extends RequestContract<unknown, infer Res> ? Res : never;
export type TopicSubject = { [S in Subject]: Contracts[S] extends TopicContract<unknown> ? S : never }[Subject];
export type PayloadOf<S extends TopicSubject> = Contracts[S] extends TopicContract<infer P> ? P : never;
export type EventOf<S extends EventSubject> = Contracts[S] extends EventContract<infer E> ? E : never;

/** Subjects a service must handle exactly once at start-up. */
export function subjectsOwnedBy(service: ServiceName): RequestSubject[] {
  return (Object.keys(CONTRACTS) as Subject[]).filter(
    (s): s is RequestSubject => CONTRACTS[s].kind === 'request' && (CONTRACTS[s] as RequestContract<unknown, unknown>).owner === service,
  );
}

/** NATS headers that carry context across hops. */
export const HEADERS = {
  contractVersion: 'weft-contract-version',
  correlationId: 'weft-correlation-id',
  /** The signed job grant a grant-bound service (the node runner) sends with each request. */
  jobGrant: 'weft-job-grant',
  workspaceId: 'weft-workspace-id',
} as const;

/** The version number a subject name carries (`…v1` → 1). */
export function contractVersion(subject: Subject): number {
  const match = /\.v(\d+)$/.exec(subject);
  return match ? Number(match[1]) : 1;
}
