import { ApiKeyRevokedSchema } from './api-keys.contract';
import { z } from 'zod';
import { AuditEventSchema } from './audit.contract';
import {
  ConversationPageSchema,
  ConversationRecordSchema,
  ConversationVariableRecordSchema,
  DeleteConversationRequestSchema,
  DeleteConversationResponseSchema,
  ListConversationsRequestSchema,
  ListConversationVariablesRequestSchema,
  ListConversationVariablesResponseSchema,
  ListMessagesRequestSchema,
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
  readonly request: z.ZodType<Req, z.ZodTypeDef, unknown>;
  readonly response: z.ZodType<Res, z.ZodTypeDef, unknown>;
}

/** A durable event subject carried by a JetStream stream. */
export interface EventContract<E> {
  readonly kind: 'event';
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
  readonly keyed: boolean;
  readonly payload: z.ZodType<P, z.ZodTypeDef, unknown>;
}

/**
 * JetStream streams: what must survive a crash. Names get the NATS subject prefix in tests. A
 * `workqueue` stream deletes each message once a consumer acks it.
 */
export const STREAMS = {
  AUDIT: { subjects: ['audit.event.v1'], maxAgeSeconds: 7 * 24 * 3600, duplicateWindowSeconds: 3600, retention: 'limits' },
  KB_INGEST: { subjects: ['kb.ingest.v1'], maxAgeSeconds: 7 * 24 * 3600, duplicateWindowSeconds: 120, retention: 'workqueue' },
  WF_NODES: { subjects: ['wf.node.execute.v1'], maxAgeSeconds: 24 * 3600, duplicateWindowSeconds: 120, retention: 'workqueue' },
} as const;
export type StreamName = keyof typeof STREAMS;

const request = <Req, Res>(
  owner: ServiceName | 'broadcast',
  req: z.ZodType<Req, z.ZodTypeDef, unknown>,
  res: z.ZodType<Res, z.ZodTypeDef, unknown>,
): RequestContract<Req, Res> => ({ kind: 'request', owner, request: req, response: res });

const topic = <P>(keyed: boolean, payload: z.ZodType<P, z.ZodTypeDef, unknown>): TopicContract<P> => ({ kind: 'topic', keyed, payload });

const event = <E>(stream: StreamName, payload: z.ZodType<E, z.ZodTypeDef, unknown>): EventContract<E> => ({
  kind: 'event',
  payload,
  stream,
});

/** Every NATS subject Weft uses, with its version in the name and its payload schemas. */
export const CONTRACTS = {
  'audit.event.v1': event('AUDIT', AuditEventSchema),
  'gateway.api-key.revoked.v1': topic(false, ApiKeyRevokedSchema),
  'audit.logs.v1': request('compliance', ListAuditLogsRequestSchema, ListAuditLogsResponseSchema),
  'audit.verify.v1': request('compliance', VerifyAuditTrailRequestSchema, VerifyAuditTrailResponseSchema),
  'audit.verify.workspace.v1': request('compliance', VerifyWorkspaceAuditTrailRequestSchema, VerifyWorkspaceAuditTrailResponseSchema),
  'kb.child-chunk.create.v1': request('rag', WriteChildChunkRequestSchema, ChildChunkResponseSchema),
  'kb.child-chunk.delete.v1': request('rag', ChildChunkRequestSchema, DeletedResponseSchema),
  'kb.child-chunk.list.v1': request('rag', ListChildChunksRequestSchema, ChildChunkPageSchema),
  'kb.child-chunk.update.v1': request('rag', WriteChildChunkRequestSchema, ChildChunkResponseSchema),
  'kb.dataset.changed.v1': topic(false, DatasetChangedSchema),
  'kb.dataset.create.v1': request('rag', CreateDatasetRequestSchema, KnowledgeObjectSchema),
  'kb.dataset.delete.v1': request('rag', DatasetRequestSchema, DeletedResponseSchema),
  'kb.dataset.get.v1': request('rag', DatasetRequestSchema, KnowledgeObjectSchema),
  'kb.dataset.list.v1': request('rag', ListDatasetsRequestSchema, KnowledgePageSchema),
  'kb.dataset.update.v1': request('rag', UpdateDatasetRequestSchema, KnowledgeObjectSchema),
  'kb.document.create.v1': request('rag', CreateDocumentRequestSchema, CreateDocumentResponseSchema),
  'kb.document.delete.v1': request('rag', DocumentRequestSchema, DeletedResponseSchema),
  'kb.document.get.v1': request('rag', DocumentRequestSchema, KnowledgeObjectSchema),
  'kb.document.indexing-status.v1': request('rag', IndexingStatusRequestSchema, IndexingStatusResponseSchema),
  'kb.document.list.v1': request('rag', ListDocumentsRequestSchema, KnowledgePageSchema),
  'kb.document.set-status.v1': request('rag', DocumentStatusRequestSchema, DeletedResponseSchema),
  'kb.ingest.v1': event('KB_INGEST', IngestJobSchema),
  'kb.metadata.v1': request('rag', MetadataRequestSchema, KnowledgeObjectSchema),
  'kb.retrieve.v1': request('rag', RetrieveRequestSchema, RetrieveResponseSchema),
  'kb.segment.create.v1': request('rag', CreateSegmentsRequestSchema, SegmentsResponseSchema),
  'kb.segment.delete.v1': request('rag', SegmentRequestSchema, DeletedResponseSchema),
  'kb.segment.get.v1': request('rag', SegmentRequestSchema, SegmentResponseSchema),
  'kb.segment.list.v1': request('rag', ListSegmentsRequestSchema, SegmentPageSchema),
  'kb.segment.update.v1': request('rag', UpdateSegmentRequestSchema, SegmentResponseSchema),
  'gateway.end-users.find.v1': request('gateway', FindEndUsersRequestSchema, FindEndUsersResponseSchema),
  'gateway.provider-credentials.v1': request('gateway', ProviderCredentialsRequestSchema, ProviderCredentialsResponseSchema),
  'gateway.upload-file.v1': request('gateway', UploadFileRequestSchema, UploadFileResponseSchema),
  'privacy.erase.gateway.v1': request('gateway', EraseStepRequestSchema, EraseStepResponseSchema),
  'privacy.erase.orchestrator.v1': request('orchestrator', EraseStepRequestSchema, EraseStepResponseSchema),
  'privacy.erase.rag.v1': request('rag', EraseStepRequestSchema, EraseStepResponseSchema),
  'privacy.erasure.start.v1': request('compliance', StartErasureRequestSchema, StartErasureResponseSchema),
  'privacy.erasure.status.v1': request('compliance', ErasureStatusRequestSchema, ErasureStatusSchema),
  'privacy.erasure.resume.v1': request('compliance', ResumeErasureRequestSchema, ErasureStatusSchema),
  'privacy.export.claim.v1': request('compliance', ClaimExportRequestSchema, ClaimExportResponseSchema),
  'privacy.export.gateway.v1': request('gateway', ExportPageRequestSchema, ExportPageResponseSchema),
  'privacy.export.orchestrator.v1': request('orchestrator', ExportPageRequestSchema, ExportPageResponseSchema),
  'privacy.export.rag.v1': request('rag', ExportPageRequestSchema, ExportPageResponseSchema),
  'privacy.export.start.v1': request('compliance', StartExportRequestSchema, StartExportResponseSchema),
  'privacy.export.status.v1': request('compliance', ExportStatusRequestSchema, DataExportSchema),
  'privacy.legal-hold.list.v1': request('compliance', ListLegalHoldsRequestSchema, ListLegalHoldsResponseSchema),
  'privacy.legal-hold.place.v1': request('compliance', PlaceLegalHoldRequestSchema, LegalHoldSchema),
  'privacy.legal-hold.release.v1': request('compliance', ReleaseLegalHoldRequestSchema, LegalHoldSchema),
  'system.status.v1': request('broadcast', SystemStatusRequestSchema, ServiceStatusSchema),
  'wf.conversation.delete.v1': request('orchestrator', DeleteConversationRequestSchema, DeleteConversationResponseSchema),
  'wf.conversation.list.v1': request('orchestrator', ListConversationsRequestSchema, ConversationPageSchema),
  'wf.conversation.rename.v1': request('orchestrator', RenameConversationRequestSchema, ConversationRecordSchema),
  'wf.conversation.variables.list.v1': request(
    'orchestrator',
    ListConversationVariablesRequestSchema,
    ListConversationVariablesResponseSchema,
  ),
  'wf.conversation.variables.update.v1': request('orchestrator', UpdateConversationVariableRequestSchema, ConversationVariableRecordSchema),
  'wf.message.feedback.v1': request('orchestrator', MessageFeedbackRequestSchema, MessageFeedbackResponseSchema),
  'wf.message.list.v1': request('orchestrator', ListMessagesRequestSchema, MessagePageSchema),
  'wf.message.suggested.v1': request('orchestrator', SuggestedQuestionsRequestSchema, SuggestedQuestionsResponseSchema),
  'wf.model.generate.v1': request('node-runner', GenerateTextRequestSchema, GenerateTextResponseSchema),
  'wf.node.cancel.v1': topic(false, CancelNodeJobSchema),
  'wf.node.chunk.v1': topic(true, NodeChunkSchema),
  'wf.node.execute.v1': event('WF_NODES', NodeJobSchema),
  'wf.node.result.v1': topic(true, NodeResultSchema),
  'wf.legal-hold.set.v1': request('orchestrator', SetLegalHoldRequestSchema, WorkspaceRetentionSchema),
  'wf.retention.get.v1': request('orchestrator', WorkspaceRetentionRequestSchema, WorkspaceRetentionSchema),
  'wf.retention.set.v1': request('orchestrator', SetWorkspaceRetentionRequestSchema, WorkspaceRetentionSchema),
  'wf.run.cancel.v1': topic(false, CancelRunSchema),
  'wf.run.ending.v1': request('orchestrator', GetRunRequestSchema, RunEndingSchema),
  'wf.run.event.v1': topic(true, RunStreamEventSchema),
  'wf.run.get.v1': request('orchestrator', GetRunRequestSchema, RunRecordSchema),
  'wf.run.history.v1': request('orchestrator', GetRunRequestSchema, RunHistorySchema),
  'wf.run.list.v1': request('orchestrator', ListRunsRequestSchema, ListRunsResponseSchema),
  'wf.run.start.v1': request('orchestrator', StartRunRequestSchema, StartRunResponseSchema),
  'wf.run.stop.v1': request('orchestrator', StopRunRequestSchema, StopRunResponseSchema),
  'wf.app.delete.v1': request('orchestrator', DeleteAppRequestSchema, DeletedRowsSchema),
  'wf.workflow.export.v1': request('orchestrator', ExportDslRequestSchema, ExportDslResponseSchema),
  'wf.workflow.get.v1': request('orchestrator', GetWorkflowRequestSchema, WorkflowRecordSchema),
  'wf.workflow.import.v1': request('orchestrator', ImportDslRequestSchema, ImportDslResponseSchema),
  'wf.workflow.start-form.v1': request('orchestrator', GetWorkflowRequestSchema, StartFormSchema),
  'wf.workflow.publish.v1': request('orchestrator', PublishRequestSchema, PublishResponseSchema),
  'wf.workflow.save-draft.v1': request('orchestrator', SaveDraftRequestSchema, SaveDraftResponseSchema),
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
  workspaceId: 'weft-workspace-id',
} as const;

/** The version number a subject name carries (`…v1` → 1). */
export function contractVersion(subject: Subject): number {
  const match = /\.v(\d+)$/.exec(subject);
  return match ? Number(match[1]) : 1;
}
