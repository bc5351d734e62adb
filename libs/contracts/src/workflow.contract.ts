import { z } from 'zod';
import { AnnotationReplySchema } from './annotations.contract';
import { AuditEventSchema } from './audit.contract';
import { ConversationTurnSchema } from './conversations.contract';

/** Run statuses, as Dify stores and answers them. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'stopped', 'partial-succeeded'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Node execution statuses, as Dify stores them. */
export const NODE_RUN_STATUSES = ['running', 'succeeded', 'failed', 'exception', 'stopped', 'retry'] as const;
export type NodeRunStatus = (typeof NODE_RUN_STATUSES)[number];

const json = z.record(z.string(), z.unknown());
const uuid = z.string().uuid();

/** A Dify DSL document (already validated by the sender), stored as the app's draft. */
export const SaveDraftRequestSchema = z.object({
  accountId: z.string().nullable(),
  appId: uuid,
  document: json,
  workspaceId: uuid,
});
export const SaveDraftResponseSchema = z.object({ updatedAt: z.string(), workflowId: uuid });

export const PublishRequestSchema = z.object({ accountId: z.string().nullable(), appId: uuid, workspaceId: uuid });
export const PublishResponseSchema = z.object({ createdAt: z.string(), version: z.string(), workflowId: uuid });

/** A problem an import found, with its code and where it is (Weft's `problems` of the import answer). */
export const DslProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  path: z.string().optional(),
});

/**
 * Imports a Dify DSL document (YAML) as the app's draft: the orchestrator parses and checks it, converts a
 * classic app's model config to the chatflow it runs as, stores the draft, and publishes a classic app at
 * once (Dify has no publish step for them). Nothing is stored when `problems` is not empty; `warningProblems`
 * (references Dify resolves to empty values at run time) do not stop the import.
 */
export const ImportDslRequestSchema = z.object({ accountId: z.string().nullable(), appId: uuid, workspaceId: uuid, yaml: z.string() });
export const ImportDslResponseSchema = z.object({
  /** The app section as imported (null when the document could not be read at all). */
  app: z
    .object({
      description: z.string(),
      icon: z.string(),
      iconBackground: z.string(),
      iconType: z.string(),
      mode: z.string(),
      /** A classic app's model config, kept by the gateway for export; null for workflow apps. */
      modelConfig: json.nullable(),
      name: z.string(),
      useIconAsAnswerIcon: z.boolean(),
      version: z.string(),
    })
    .nullable(),
  problems: z.array(DslProblemSchema),
  /** Problems that did not stop the import (variable references that resolve to nothing); optional for older orchestrators. */
  warningProblems: z.array(DslProblemSchema).optional(),
  warnings: z.array(z.string()),
});
export type ImportDslResponse = z.infer<typeof ImportDslResponseSchema>;

/** Writes an app as DSL YAML: its draft workflow, or a classic app's model config; secrets always blanked. */
export const ExportDslRequestSchema = z.object({
  app: z.object({
    description: z.string(),
    icon: z.string(),
    iconBackground: z.string(),
    mode: z.string(),
    name: z.string(),
    useIconAsAnswerIcon: z.boolean(),
  }),
  appId: uuid,
  /** A classic app's stored model config (its DSL is that, not a workflow); null for workflow apps. */
  modelConfig: json.nullable(),
  workspaceId: uuid,
});
export const ExportDslResponseSchema = z.object({ yaml: z.string() });

/** `wf.app.delete.v1`: forget an app that is being deleted (its workflows, runs, node runs, conversation variables). */
export const DeleteAppRequestSchema = z.object({ appId: uuid, workspaceId: uuid });
/** How many rows of each table went. */
export const DeletedRowsSchema = z.object({ deleted: z.record(z.number().int()) });

/** `version` is "draft", "published" (the latest published one) or a workflow id. */
export const GetWorkflowRequestSchema = z.object({
  appId: uuid,
  version: z.string().min(1).max(100),
  workspaceId: uuid,
});
export const WorkflowRecordSchema = z.object({
  createdAt: z.string(),
  document: json,
  id: uuid,
  updatedAt: z.string(),
  version: z.string(),
});
export type WorkflowRecord = z.infer<typeof WorkflowRecordSchema>;

/**
 * What the edge needs of a workflow version to check a run's request and describe its form: the start
 * node's variables and the app's features (`file_upload`, `opening_statement`...), parsed once by the
 * orchestrator, so the gateway never reads DSL.
 */
export const StartFormSchema = z.object({ features: json, variables: z.array(json), workflowId: uuid });
export type StartForm = z.infer<typeof StartFormSchema>;

/** Who started a run: Dify's `created_by_role` and the end user's session id (the API's `user`). */
export const RunCreatorSchema = z.object({
  accountId: z.string().nullable(),
  endUserId: z.string().nullable(),
  role: z.enum(['account', 'end_user']),
  sessionId: z.string().nullable(),
});
export type RunCreator = z.infer<typeof RunCreatorSchema>;

/** App modes whose runs answer a message (Dify's chat family and completion). */
export const CHAT_APP_MODES = ['advanced-chat', 'chat', 'agent-chat', 'completion'] as const;
export type ChatAppMode = (typeof CHAT_APP_MODES)[number];

/**
 * The message a chat-family run answers, as the run stores it: its conversation (null for completion
 * apps), the user's query and how many turns came before. The orchestrator stores the message beside the run.
 */
export const ChatTurnSchema = z.object({
  conversationId: uuid.nullable(),
  dialogueCount: z.number().int().min(0),
  messageId: uuid,
  mode: z.enum(CHAT_APP_MODES),
  query: z.string(),
});
export type ChatTurn = z.infer<typeof ChatTurnSchema>;

/**
 * A turn the gateway asks for: an existing conversation of the end user (its stored inputs then replace
 * the request's), or null for a new one (none for completion apps), and whether to name a new one by model.
 */
export const ChatTurnRequestSchema = z.object({
  autoGenerateName: z.boolean().default(false),
  conversationId: uuid.nullable(),
  messageId: uuid,
  mode: z.enum(CHAT_APP_MODES),
  query: z.string(),
});
export type ChatTurnRequest = z.infer<typeof ChatTurnRequestSchema>;

/**
 * Starts a run of the app's published workflow (or of `workflowId`). The reply means the run is stored. The
 * gateway assigns `runId` (and a chat turn's `messageId`) and sends the same request again when no orchestrator
 * answers (`attempt` counts the sends): a start whose run or message is already stored answers what is stored.
 */
export const StartRunRequestSchema = z.object({
  appId: uuid,
  attempt: z.number().int().min(1).max(10_000).default(1),
  /**
   * The request's `run.started` audit event, prepared by the gateway (the same event, same id, on every attempt).
   * The orchestrator stores it with the run row, in the same insert, and sends it on to the trail: a gateway
   * that dies before the run ends loses no audit event. Only `run.started` of this run and workspace is taken.
   */
  audit: AuditEventSchema.nullable().default(null),
  /** Set for chat-family runs; null for workflow apps. */
  chat: ChatTurnRequestSchema.nullable().default(null),
  createdFrom: z.enum(['service-api', 'web-app', 'installed-app', 'debugger']),
  creator: RunCreatorSchema,
  files: z.array(json).default([]),
  inputs: json,
  runId: uuid,
  taskId: uuid,
  workflowId: uuid.nullable(),
  workspaceId: uuid,
});
export type StartRunRequest = z.infer<typeof StartRunRequestSchema>;
/**
 * The run as stored; `conversationId` names the turn's conversation (a new one when the request had none).
 * A chat turn an annotation answered (`annotationReply`) ran no workflow: its message is already stored,
 * answered, and no run or run event follows (`runId` is the one asked for, never stored).
 */
export const StartRunResponseSchema = z.object({
  annotationReply: AnnotationReplySchema.nullable().default(null),
  /** Whether the request's `audit` event is stored with the run (then the orchestrator sends it, not the gateway). */
  auditStored: z.boolean().default(false),
  conversationId: uuid.nullable().default(null),
  createdAt: z.number(),
  runId: uuid,
  taskId: uuid,
  workflowId: uuid,
});

/** A stored run, with Dify's field names (timestamps in epoch seconds). */
export const RunRecordSchema = z.object({
  created_at: z.number(),
  created_by_account_id: z.string().nullable(),
  created_by_end_user_id: z.string().nullable(),
  created_by_end_user_session_id: z.string().nullable(),
  created_by_role: z.enum(['account', 'end_user']),
  created_from: z.string(),
  elapsed_time: z.number(),
  error: z.string().nullable(),
  exceptions_count: z.number(),
  finished_at: z.number().nullable(),
  id: uuid,
  inputs: json,
  outputs: json.nullable(),
  status: z.enum(RUN_STATUSES),
  task_id: uuid,
  total_steps: z.number(),
  total_tokens: z.number(),
  /** The W3C `traceparent` of the run's first span (null when tracing was off). */
  trace_parent: z.string().nullable().default(null),
  triggered_from: z.string().default('app-run'),
  version: z.string(),
  workflow_id: uuid,
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const GetRunRequestSchema = z.object({ appId: uuid, runId: uuid, workspaceId: uuid });

/** A stored run with its node executions in start order, for replaying a run's events. */

/** Stops the running run of a task; with `endUserId`, only a run that end user started (another's is as unknown as none). */
export const StopRunRequestSchema = z.object({
  appId: uuid,
  endUserId: uuid.nullable().default(null),
  taskId: z.string().max(100),
  workspaceId: uuid,
});
export const StopRunResponseSchema = z.object({ stopped: z.boolean() });

/** `GET /workflows/logs` filters, already validated by the gateway. */
export const ListRunsRequestSchema = z.object({
  appId: uuid,
  createdAfter: z.string().nullable(),
  createdBefore: z.string().nullable(),
  createdByAccountId: z.string().nullable().default(null),
  endUserSessionId: z.string().nullable(),
  keyword: z.string().nullable(),
  limit: z.number().int().min(1).max(100),
  page: z.number().int().min(1).max(99_999),
  status: z.enum(['succeeded', 'failed', 'stopped', 'partial-succeeded', 'running']).nullable(),
  workspaceId: uuid,
});
export const ListRunsResponseSchema = z.object({ runs: z.array(RunRecordSchema), total: z.number() });

/**
 * The console's run list: keyset-paged newest first by (created_at, id) after the run `lastId`, with no total
 * (counting a million runs costs more than the page); `endUser` matches an end user's id or session id,
 * `keyword` text in the inputs, the time bounds are epoch seconds.
 */
export const PageRunsRequestSchema = z.object({
  appId: uuid,
  createdAfter: z.number().int().nullable(),
  createdBefore: z.number().int().nullable(),
  endUser: z.string().max(255).nullable(),
  keyword: z.string().max(200).nullable(),
  lastId: uuid.nullable(),
  limit: z.number().int().min(1).max(100),
  status: z.enum(RUN_STATUSES).nullable(),
  workspaceId: uuid,
});
export type PageRunsRequest = z.infer<typeof PageRunsRequestSchema>;
export const PageRunsResponseSchema = z.object({ hasMore: z.boolean(), runs: z.array(RunRecordSchema) });

/**
 * One Dify stream event of a run (`{event, workflow_run_id, task_id, data}`), published live on the
 * run's own subject so whoever serves the client's stream relays it unchanged.
 */
export const RunStreamEventSchema = z.object({ event: z.string() }).passthrough();
export type RunStreamEvent = z.infer<typeof RunStreamEventSchema>;

/** A stored run for replaying its stream: its node runs as `node_finished` data, and the events that ended it (none while it runs). */
export const RunHistorySchema = z.object({ ending: z.array(RunStreamEventSchema), nodes: z.array(json), run: RunRecordSchema });
export type RunHistory = z.infer<typeof RunHistorySchema>;

/**
 * The events that ended a stored run's stream, exactly as its live stream sent them (none while it runs),
 * and a chat run's whole answer: for a client that missed them while it waited.
 */
export const RunEndingSchema = z.object({ answer: z.string().nullable(), events: z.array(RunStreamEventSchema) });

/** Asks whichever orchestrator runs `runId` to stop it. */
export const CancelRunSchema = z.object({ runId: uuid });

/** A node the orchestrator hands to the node runners: its config and the values it reads. */
export const NodeJobSchema = z.object({
  appId: uuid,
  attempt: z.number().int().min(0),
  data: json,
  /** The signed grant that lets the node runner reach this workspace (and only it) while it works on the job. */
  grant: z.string().min(1).max(2000),
  jobId: uuid,
  nodeId: z.string(),
  nodeType: z.string(),
  replyTo: z.string(),
  runId: uuid,
  timeoutMs: z.number().int().positive(),
  /** The conversation's earlier turns, oldest first, for a node with memory (empty for any other node). */
  history: z.array(ConversationTurnSchema).default([]),
  /** Variable pool entries the node may read, keyed `nodeId` → `name` → value. */
  variables: z.record(z.string(), json),
  workspaceId: uuid,
});
export type NodeJob = z.infer<typeof NodeJobSchema>;

/** What a node runner answers for a job (success or a failure the engine's error strategy handles). */
export const NodeResultSchema = z.object({
  edgeSourceHandle: z.string().nullable(),
  error: z.string().nullable(),
  errorType: z.string().nullable(),
  inputs: json.nullable(),
  jobId: uuid,
  metadata: json,
  outputs: json,
  processData: json.nullable(),
  status: z.enum(['succeeded', 'failed']),
});
export type NodeResult = z.infer<typeof NodeResultSchema>;

/** A node that ran to the end. */
export interface NodeSucceededOutcome {
  /** The branch taken (if-else case id, classifier class id); absent means "source". */
  edgeSourceHandle?: string;
  inputs: Record<string, unknown> | null;
  metadata?: Record<string, unknown>;
  outputs: Record<string, unknown>;
  processData?: Record<string, unknown> | null;
  status: 'succeeded';
}

/** A node that failed; `errorType` is Dify's error class name. */
export interface NodeFailedOutcome {
  error: string;
  errorType: string;
  inputs: Record<string, unknown> | null;
  metadata?: Record<string, unknown>;
  /** What the node had produced when it failed (an HTTP error's response), as Dify keeps it; the engine does not read it. */
  outputs?: Record<string, unknown>;
  processData?: Record<string, unknown> | null;
  status: 'failed';
}

/**
 * What executing a node produced, in the orchestrator or on a node runner. A failure is an outcome handed
 * to the node's error strategy, never a thrown error. `NodeResult` is its form on the wire.
 */
export type NodeOutcome = NodeSucceededOutcome | NodeFailedOutcome;

/** The `wf.node.result.v1` payload for a job's outcome: every field present, absent ones as null or empty. */
export function toNodeResult(jobId: string, outcome: NodeOutcome): NodeResult {
  const common = { inputs: outcome.inputs, jobId, metadata: outcome.metadata ?? {}, processData: outcome.processData ?? null };
  if (outcome.status === 'failed') {
    const { error, errorType } = outcome;
    return { ...common, edgeSourceHandle: null, error, errorType, outputs: outcome.outputs ?? {}, status: 'failed' };
  }
  const edgeSourceHandle = outcome.edgeSourceHandle ?? null;
  return { ...common, edgeSourceHandle, error: null, errorType: null, outputs: outcome.outputs, status: 'succeeded' };
}

/** The outcome a `wf.node.result.v1` payload reports; a failure's outputs are dropped, since no error strategy reads them. */
export function fromNodeResult(result: NodeResult): NodeOutcome {
  const { inputs, metadata, processData } = result;
  if (result.status === 'failed') {
    const error = result.error ?? 'Node failed';
    return { error, errorType: result.errorType ?? 'NodeRunError', inputs, metadata, processData, status: 'failed' };
  }
  const edgeSourceHandle = result.edgeSourceHandle ?? undefined;
  return { edgeSourceHandle, inputs, metadata, outputs: result.outputs, processData, status: 'succeeded' };
}

/** The most of a tool's input or observation an agent step carries live (the node's process data keeps it whole). */
export const AGENT_STEP_TEXT_LIMIT = 100_000;

/**
 * One thought of an agent (one model turn) as it stands: what the model said, the tools it called with
 * their inputs, and each tool's observation once it arrived (null before). Sent again, whole, on every
 * change (created, tools chosen, each result), so a lost or repeated step is harmless.
 */
export const AgentStepSchema = z.object({
  /** Epoch seconds when the thought began. */
  createdAt: z.number().int().nonnegative(),
  /** 1-based, the model turn within the agent's run. */
  position: z.number().int().min(1).max(1000),
  thought: z.string().max(AGENT_STEP_TEXT_LIMIT),
  tools: z
    .array(
      z.object({
        input: z.record(z.string(), z.unknown()),
        name: z.string().max(200),
        observation: z.string().max(AGENT_STEP_TEXT_LIMIT).nullable(),
      }),
    )
    .max(100),
});
export type AgentStep = z.infer<typeof AgentStepSchema>;

/**
 * A streamed piece of a node's text output (LLM tokens), relayed before the node finishes; or, with `step`
 * (and empty `text`), an agent's step as it happens. Steps share the chunks' subject so the orchestrator
 * hears a job's steps and text in the order the runner sent them (NATS keeps order within one subject of one
 * connection, not across two subscriptions); `step` is optional so an orchestrator that predates it still
 * reads the chunk (as empty text).
 */
export const NodeChunkSchema = z.object({ jobId: uuid, step: AgentStepSchema.optional(), text: z.string() });
export type NodeChunk = z.infer<typeof NodeChunkSchema>;

/** Cancels a node job wherever it runs. */
export const CancelNodeJobSchema = z.object({ jobId: uuid });

/** A workspace's stored credentials for one model provider (short name, e.g. "openai"), decrypted for a node runner. */
export const ProviderCredentialsRequestSchema = z.object({ provider: z.string().min(1).max(200), workspaceId: uuid });
export const ProviderCredentialsResponseSchema = z.object({ credentials: z.record(z.string(), z.string()).nullable() });

/** An uploaded file of a workspace, for a node runner that reads its bytes from the shared file storage. */
export const UploadFileRequestSchema = z.object({ uploadFileId: uuid, workspaceId: uuid });
/** Where the upload's bytes are stored and what it is; a file of another workspace is not_found. */
export const UploadFileResponseSchema = z.object({
  extension: z.string(),
  mimeType: z.string(),
  name: z.string(),
  size: z.number().int().min(0),
  storageKey: z.string().min(1),
});
export type UploadFileInfo = z.infer<typeof UploadFileResponseSchema>;

/** One model call outside a workflow (conversation names, suggested questions), with the workspace's credentials. */
export const GenerateTextRequestSchema = z.object({
  appId: uuid,
  /** The grant that lets the node runner use the workspace's model credentials for this call. */
  grant: z.string().min(1).max(2000),
  messages: z.array(z.object({ content: z.string(), role: z.enum(['system', 'user', 'assistant']) })).min(1),
  model: json,
  workspaceId: uuid,
});
export const GenerateTextResponseSchema = z.object({ text: z.string() });
