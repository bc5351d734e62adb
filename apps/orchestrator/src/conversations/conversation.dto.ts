import type { AppConversationRecord, AppFeedbackRecord, AppMessageRecord, ConversationRecord, MessageRecord } from '@weft/contracts';
import type { ConversationRow, FeedbackRow, MessageRow } from './conversation.repository';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** A conversation as Dify's Service API lists it. */
export function toConversationRecord(c: ConversationRow): ConversationRecord {
  return {
    created_at: seconds(c.createdAt),
    id: c.id,
    inputs: c.inputs,
    introduction: c.introduction,
    name: c.name,
    status: c.status,
    updated_at: seconds(c.updatedAt),
  };
}

/** A conversation as the console lists it. */
export function toAppConversationRecord(c: ConversationRow): AppConversationRecord {
  return {
    created_at: seconds(c.createdAt),
    from_end_user_id: c.endUserId,
    id: c.id,
    message_count: c.dialogueCount,
    name: c.name,
    status: c.status,
    updated_at: seconds(c.updatedAt),
  };
}

/** A message as the console shows it. */
export function toAppMessageRecord(m: MessageRow): AppMessageRecord {
  const price = Number(m.totalPrice);
  return {
    answer: m.answer,
    answer_tokens: m.answerTokens,
    conversation_id: m.conversationId,
    created_at: seconds(m.createdAt),
    currency: m.currency,
    error: m.error,
    feedback: m.feedback ? { rating: m.feedback.rating } : null,
    id: m.id,
    inputs: m.inputs,
    message_tokens: m.messageTokens,
    query: m.query,
    status: m.status,
    total_price: Number.isFinite(price) ? price : 0,
    workflow_run_id: m.workflowRunId,
  };
}

/** A message as `GET /v1/messages` returns it. */
export function toMessageRecord(m: MessageRow): MessageRecord {
  return {
    agent_thoughts: m.agentThoughts,
    answer: m.answer,
    conversation_id: m.conversationId,
    created_at: seconds(m.createdAt),
    error: m.error,
    feedback: m.feedback ? { rating: m.feedback.rating } : null,
    id: m.id,
    inputs: m.inputs,
    message_files: m.files,
    parent_message_id: null,
    query: m.query,
    retriever_resources: m.retrieverResources,
    status: m.status === 'error' ? 'error' : 'normal',
  };
}

/** Python's `datetime.isoformat()` of Dify's naive UTC timestamps: no zone, microseconds unless they are zero. */
export function pythonIsoFormat(at: Date): string {
  const iso = at.toISOString();
  const ms = at.getUTCMilliseconds();
  return ms === 0 ? iso.slice(0, 19) : `${iso.slice(0, 19)}.${String(ms * 1000).padStart(6, '0')}`;
}

/**
 * A feedback as Dify's `GET /v1/app/feedbacks` lists it. Weft keeps one feedback per message, and only end
 * users give it (no admin feedback from the console), so the message id is the feedback's id too.
 */
export function toAppFeedbackRecord(f: FeedbackRow): AppFeedbackRecord {
  return {
    app_id: f.appId,
    content: f.content,
    conversation_id: f.conversationId,
    created_at: pythonIsoFormat(f.createdAt),
    from_account_id: null,
    from_end_user_id: f.endUserId,
    from_source: 'user',
    id: f.messageId,
    message_id: f.messageId,
    rating: f.rating,
    updated_at: pythonIsoFormat(f.updatedAt),
  };
}
