import type { ConversationRecord, MessageRecord } from '@weft/contracts';
import type { ConversationRow, MessageRow } from './conversation.repository';

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

/** A message as `GET /v1/messages` returns it. */
export function toMessageRecord(m: MessageRow): MessageRecord {
  return {
    agent_thoughts: [],
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
