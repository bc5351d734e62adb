import { AppFeedbackRecordSchema, ConversationRecordSchema, ConversationVariableRecordSchema, MessageRecordSchema } from '@weft/contracts';
import { z } from 'zod';
import { keysetPage } from '../docs/common.dto';

/** App modes the chat-messages and conversation routes serve (completion apps have their own route). */
export const CHAT_MODES: ReadonlySet<string> = new Set(['chat', 'agent-chat', 'advanced-chat']);

const USER_REQUIRED = 'Arg user must be provided.';
const user = z.string({ invalid_type_error: USER_REQUIRED, required_error: USER_REQUIRED }).min(1, USER_REQUIRED).max(255);
const id = z.string().max(100);

const FileSchema = z
  .object({
    transfer_method: z.enum(['remote_url', 'local_file']),
    type: z.enum(['image', 'document', 'audio', 'video', 'custom']),
    upload_file_id: z.string().max(100).optional(),
    url: z.string().max(4000).optional(),
  })
  .passthrough();

/** `POST /v1/chat-messages`. An empty `conversation_id` starts a new conversation. */
export const ChatRequestSchema = z.object({
  auto_generate_name: z.boolean().default(true),
  conversation_id: id.nullish(),
  files: z.array(FileSchema).max(100).nullish(),
  inputs: z.record(z.string(), z.unknown(), { invalid_type_error: 'inputs must be an object' }).default({}),
  query: z.string({ invalid_type_error: 'query must be a string', required_error: 'query is required' }).max(100_000),
  response_mode: z.enum(['blocking', 'streaming']).nullish(),
  user,
  workflow_id: id.nullish(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** `POST /v1/completion-messages`: the prompt variables in `inputs` (a legacy top-level `query` is accepted). */
export const CompletionRequestSchema = z.object({
  files: z.array(FileSchema).max(100).nullish(),
  inputs: z.record(z.string(), z.unknown(), { invalid_type_error: 'inputs must be an object' }),
  query: z.string().max(100_000).nullish(),
  response_mode: z.enum(['blocking', 'streaming']).nullish(),
  user,
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export const UserBodySchema = z.object({ user });

/** `GET /v1/conversations`. An empty `last_id` asks for the first page, as in Dify. */
export const ConversationsQuerySchema = z.object({
  last_id: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  // The official SDKs send `pinned`; Dify's Service API reads no such parameter and lists every conversation.
  pinned: z.unknown().optional().describe('Accepted for the official SDKs and ignored, as Dify does: every conversation is listed.'),
  sort_by: z.enum(['created_at', '-created_at', 'updated_at', '-updated_at']).default('-updated_at'),
  user,
});

/** `POST /v1/conversations/{id}/name`: a name, or `auto_generate` to have the model write one. */
export const RenameRequestSchema = z
  .object({ auto_generate: z.boolean().default(false), name: z.string().max(255).nullish(), user })
  .refine((b) => b.auto_generate || (b.name ?? '').trim() !== '', {
    message: 'name is required when auto_generate is false',
    path: ['name'],
  });

/** `GET /v1/messages`. An empty `first_id` asks for the latest page, as in Dify. */
export const MessagesQuerySchema = z.object({
  conversation_id: id,
  first_id: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  user,
});

/** `POST /v1/messages/{id}/feedbacks`: a null (or absent) `rating` takes the end user's feedback back. */
export const FeedbackRequestSchema = z.object({
  content: z.string().max(10_000).nullish(),
  rating: z.enum(['like', 'dislike']).nullable().default(null),
  user,
});

export const UserQuerySchema = z.object({ user });

/** `GET /v1/app/feedbacks`: Dify's page bounds, a limit of up to 101 included. */
export const AppFeedbacksQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(101).default(20),
  page: z.coerce.number().int().min(1).max(99_999).default(1),
});

/** `GET /v1/app/feedbacks` answers the page's records only: no total, no `has_more`. */
export const AppFeedbackPageResponseSchema = z.object({ data: z.array(AppFeedbackRecordSchema) });
export type AppFeedbackPage = z.infer<typeof AppFeedbackPageResponseSchema>;

/** `GET /v1/conversations/{id}/variables`. */
export const VariablesQuerySchema = z.object({
  last_id: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  user,
  variable_name: z.string().max(255).optional(),
});

/** `PUT /v1/conversations/{id}/variables/{variable_id}`. */
export const UpdateVariableRequestSchema = z
  .object({ user, value: z.unknown() })
  .refine((b) => b.value !== undefined, { message: 'value is required', path: ['value'] });

/** The blocking answer of `POST /v1/chat-messages` and `/v1/completion-messages`. */
export const BlockingMessageResponseSchema = z.object({
  answer: z.string(),
  conversation_id: z.string().uuid().optional(),
  created_at: z.number().int(),
  event: z.literal('message'),
  id: z.string().uuid(),
  message_id: z.string().uuid(),
  metadata: z.object({ retriever_resources: z.array(z.unknown()), usage: z.record(z.string(), z.unknown()) }).passthrough(),
  mode: z.enum(['advanced-chat', 'chat', 'completion']),
  task_id: z.string().uuid(),
});
export type BlockingMessageResponse = z.infer<typeof BlockingMessageResponseSchema>;

export const ConversationPageResponseSchema = keysetPage(ConversationRecordSchema);
export const MessagePageResponseSchema = keysetPage(MessageRecordSchema);
export const VariablePageResponseSchema = keysetPage(ConversationVariableRecordSchema);

/** `GET /v1/messages/{id}/suggested`. */
export const SuggestedResponseSchema = z.object({ data: z.array(z.string()), result: z.literal('success') });
export type SuggestedResponse = z.infer<typeof SuggestedResponseSchema>;
