import { z } from 'zod';

/**
 * Conversations and messages of chat-family apps, owned by the orchestrator beside the runs that answer
 * them. Every request names the workspace, the app and the end user (resolved by the gateway from the API
 * key and the `user` string): whatever belongs to another of them is answered as not found. Records come
 * back in Dify's Service API shape (snake_case, timestamps in epoch seconds), so the gateway relays them.
 */
const uuid = z.string().uuid();
const owner = { appId: uuid, endUserId: uuid, workspaceId: uuid };

/** A conversation as Dify's Service API lists it. */
export const ConversationRecordSchema = z.object({
  created_at: z.number(),
  id: uuid,
  inputs: z.record(z.string(), z.unknown()),
  introduction: z.string(),
  name: z.string(),
  status: z.string(),
  updated_at: z.number(),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

/**
 * One thought of an agent-chat app's agent, as Dify's `GET /v1/messages` lists it (`MessageAgentThought`):
 * `tool` names the tools of one model turn joined by `;`, `tool_input` and `observation` are JSON text keyed
 * by tool name, `tool_labels` each tool's label by language.
 */
export const AgentThoughtRecordSchema = z.object({
  chain_id: z.string().nullable(),
  created_at: z.number(),
  files: z.array(z.string()),
  id: uuid,
  message_id: uuid,
  observation: z.string(),
  position: z.number().int(),
  thought: z.string(),
  tool: z.string(),
  tool_input: z.string(),
  tool_labels: z.record(z.string(), z.unknown()),
});
export type AgentThoughtRecord = z.infer<typeof AgentThoughtRecordSchema>;

/** A message as `GET /v1/messages` returns it. */
export const MessageRecordSchema = z.object({
  agent_thoughts: z.array(AgentThoughtRecordSchema),
  answer: z.string(),
  conversation_id: uuid.nullable(),
  created_at: z.number(),
  error: z.string().nullable(),
  feedback: z.object({ rating: z.string() }).nullable(),
  id: uuid,
  inputs: z.record(z.string(), z.unknown()),
  message_files: z.array(z.unknown()),
  parent_message_id: z.null(),
  query: z.string(),
  retriever_resources: z.array(z.unknown()),
  status: z.enum(['normal', 'error']),
});
export type MessageRecord = z.infer<typeof MessageRecordSchema>;

export const CONVERSATION_SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at'] as const;
export type ConversationSort = (typeof CONVERSATION_SORTS)[number];

/** A page of one end user's conversations (`GET /v1/conversations`), keyset-paged after `lastId`. */
export const ListConversationsRequestSchema = z.object({
  ...owner,
  lastId: z.string().max(100).nullable(),
  limit: z.number().int().min(1).max(100),
  sortBy: z.enum(CONVERSATION_SORTS),
});
export const ConversationPageSchema = z.object({ data: z.array(ConversationRecordSchema), hasMore: z.boolean() });

/** Renames a conversation, or has the app's model write its name. */
export const RenameConversationRequestSchema = z.object({
  ...owner,
  autoGenerate: z.boolean(),
  conversationId: z.string().max(100),
  name: z.string().max(255).nullable(),
});

/** Deletes a conversation with its messages, their feedback and its variables. */
export const DeleteConversationRequestSchema = z.object({ ...owner, conversationId: z.string().max(100) });
export const DeleteConversationResponseSchema = z.object({ deleted: z.boolean() });

/** A page of a conversation's messages going back in time from `firstId` (`GET /v1/messages`). */
export const ListMessagesRequestSchema = z.object({
  ...owner,
  conversationId: z.string().max(100),
  firstId: z.string().max(100).nullable(),
  limit: z.number().int().min(1).max(100),
});
export const MessagePageSchema = z.object({ data: z.array(MessageRecordSchema), hasMore: z.boolean() });

/**
 * Sets (or, with a null rating, removes) the end user's feedback on one of their messages; with `endUserId` null
 * (the console, for a workspace editor), the feedback on any message of the app.
 */
export const MessageFeedbackRequestSchema = z.object({
  ...owner,
  endUserId: uuid.nullable(),
  content: z.string().max(10_000).nullable(),
  messageId: z.string().max(100),
  rating: z.enum(['like', 'dislike']).nullable(),
});
export const MessageFeedbackResponseSchema = z.object({ ok: z.literal(true) });

/** A feedback on a message of the app, as Dify's `GET /v1/app/feedbacks` lists it (times in ISO 8601 without a zone, UTC). */
export const AppFeedbackRecordSchema = z.object({
  app_id: uuid,
  content: z.string().nullable(),
  conversation_id: uuid.nullable(),
  created_at: z.string(),
  from_account_id: uuid.nullable(),
  from_end_user_id: uuid.nullable(),
  from_source: z.enum(['user', 'admin']),
  id: uuid,
  message_id: uuid,
  rating: z.string(),
  updated_at: z.string(),
});
export type AppFeedbackRecord = z.infer<typeof AppFeedbackRecordSchema>;

/** One page of every feedback on an app's messages, newest first (`GET /v1/app/feedbacks`), offset-paged like Dify. */
export const ListAppFeedbacksRequestSchema = z.object({
  appId: uuid,
  limit: z.number().int().min(1).max(101),
  page: z.number().int().min(1).max(99_999),
  workspaceId: uuid,
});
export const ListAppFeedbacksResponseSchema = z.object({ data: z.array(AppFeedbackRecordSchema) });

/** Up to three questions the end user may ask after a message (the app's `suggested_questions_after_answer`). */
export const SuggestedQuestionsRequestSchema = z.object({ ...owner, messageId: z.string().max(100) });
export const SuggestedQuestionsResponseSchema = z.object({ questions: z.array(z.string()) });

/**
 * The answer of one of the end user's messages, for reading it aloud (`POST /v1/text-to-audio` with a
 * `message_id`); `status` is `running` until the turn ends, then `normal`, `error` or `stopped`.
 */
export const MessageAnswerRequestSchema = z.object({ ...owner, messageId: z.string().max(100) });
export const MessageAnswerResponseSchema = z.object({ answer: z.string(), status: z.string() });

/** A conversation variable of a chatflow conversation, in Dify's API shape (timestamps in epoch seconds). */
export const ConversationVariableRecordSchema = z.object({
  created_at: z.number(),
  description: z.string(),
  id: z.string(),
  name: z.string(),
  updated_at: z.number(),
  value: z.unknown(),
  value_type: z.string(),
});
export type ConversationVariableRecord = z.infer<typeof ConversationVariableRecordSchema>;

/** A page of a conversation's variables, in declaration order, after `lastId` when given. */
export const ListConversationVariablesRequestSchema = z.object({
  ...owner,
  conversationId: z.string().max(100),
  lastId: z.string().max(100).nullable(),
  limit: z.number().int().min(1).max(100),
  variableName: z.string().max(255).nullable(),
});
export const ListConversationVariablesResponseSchema = z.object({ data: z.array(ConversationVariableRecordSchema), hasMore: z.boolean() });

/** Sets one conversation variable; the value must match its declared type. */
export const UpdateConversationVariableRequestSchema = z.object({
  ...owner,
  conversationId: z.string().max(100),
  value: z.unknown(),
  variableId: z.string().max(100),
});

/** One earlier turn of a conversation, as LLM memory reads it. */
export const ConversationTurnSchema = z.object({ answer: z.string(), query: z.string() });
export type ConversationTurn = z.infer<typeof ConversationTurnSchema>;

/** A conversation as the console lists it: any end user's, with who it is and how many messages it has. */
export const AppConversationRecordSchema = z.object({
  created_at: z.number(),
  from_end_user_id: uuid,
  id: uuid,
  message_count: z.number().int(),
  name: z.string(),
  status: z.string(),
  updated_at: z.number(),
});
export type AppConversationRecord = z.infer<typeof AppConversationRecordSchema>;

/** The console's page of an app's conversations, every end user's, most recently active first, keyset-paged after `lastId`. */
export const ListAppConversationsRequestSchema = z.object({
  appId: uuid,
  lastId: z.string().max(100).nullable(),
  limit: z.number().int().min(1).max(100),
  workspaceId: uuid,
});
export const AppConversationPageSchema = z.object({ data: z.array(AppConversationRecordSchema), hasMore: z.boolean() });

/** A message as the console shows it: its usage, cost and the run that answered it. */
export const AppMessageRecordSchema = z.object({
  answer: z.string(),
  answer_tokens: z.number().int(),
  conversation_id: uuid.nullable(),
  created_at: z.number(),
  currency: z.string(),
  error: z.string().nullable(),
  feedback: z.object({ rating: z.string() }).nullable(),
  id: uuid,
  inputs: z.record(z.string(), z.unknown()),
  message_tokens: z.number().int(),
  query: z.string(),
  status: z.string(),
  total_price: z.number(),
  workflow_run_id: uuid.nullable(),
});
export type AppMessageRecord = z.infer<typeof AppMessageRecordSchema>;

/** The console's page of a conversation's messages (any end user's), paged back in time from `firstId` like `wf.message.list.v1`. */
export const ListAppMessagesRequestSchema = z.object({
  appId: uuid,
  conversationId: z.string().max(100),
  firstId: z.string().max(100).nullable(),
  limit: z.number().int().min(1).max(100),
  workspaceId: uuid,
});
export const AppMessagePageSchema = z.object({ data: z.array(AppMessageRecordSchema), hasMore: z.boolean() });
