import { AppMessageRecordSchema } from '@weft/contracts';
import { z } from 'zod';
import { epochSeconds, keysetPage } from '../docs/common.dto';

const limit = z.coerce.number().int().min(1).max(100).default(20);

/** `GET /console/api/apps/{app_id}/chat-conversations` query. */
export const ConsoleConversationsQuerySchema = z.object({
  last_id: z.string().uuid('last_id must be a conversation id').optional(),
  limit,
});
export type ConsoleConversationsQuery = z.infer<typeof ConsoleConversationsQuerySchema>;

/** `GET /console/api/apps/{app_id}/chat-messages` query. */
export const ConsoleMessagesQuerySchema = z.object({
  conversation_id: z.string({ required_error: 'conversation_id is required' }).min(1).max(100),
  first_id: z.string().uuid('first_id must be a message id').optional(),
  limit,
});
export type ConsoleMessagesQuery = z.infer<typeof ConsoleMessagesQuerySchema>;

/** `POST /console/api/apps/{app_id}/feedbacks`: a workspace editor's rating of a message (null removes it). */
export const ConsoleFeedbackRequestSchema = z.object({
  message_id: z.string({ required_error: 'message_id is required' }).min(1).max(100),
  rating: z.enum(['like', 'dislike']).nullable(),
});
export type ConsoleFeedbackRequest = z.infer<typeof ConsoleFeedbackRequestSchema>;

/** One conversation of the console's list. */
export const ConsoleConversationSchema = z.object({
  created_at: epochSeconds,
  from_end_user_id: z.string().uuid(),
  from_end_user_session_id: z.string().nullable(),
  id: z.string().uuid(),
  message_count: z.number().int(),
  name: z.string(),
  status: z.string(),
  updated_at: epochSeconds,
});
export type ConsoleConversation = z.infer<typeof ConsoleConversationSchema>;
export const ConsoleConversationPageSchema = keysetPage(ConsoleConversationSchema);
export type ConsoleConversationPage = z.infer<typeof ConsoleConversationPageSchema>;

export const ConsoleMessagePageSchema = keysetPage(AppMessageRecordSchema);
export type ConsoleMessagePage = z.infer<typeof ConsoleMessagePageSchema>;
