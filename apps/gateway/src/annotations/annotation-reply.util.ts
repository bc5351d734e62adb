import type { AnnotationReply, RunStreamEvent } from '@weft/contracts';

/** Dify's name for the author of an annotation whose account is gone. */
export const UNKNOWN_AUTHOR = 'Dify user';

/** A turn an annotation answered: what its events carry. `conversationId` is null for none (never, for the chat family). */
export interface AnsweredTurn {
  conversationId: string | null;
  createdAt: number;
  messageId: string;
  taskId: string;
}

/** The usage of a turn no model answered, in the shape of Weft's `message_end` usage. */
export const EMPTY_USAGE: Readonly<Record<string, unknown>> = Object.freeze({
  completion_price: '0.0000000',
  completion_price_unit: '0.000001',
  completion_tokens: 0,
  completion_unit_price: '0',
  currency: 'USD',
  latency: 0,
  prompt_price: '0.0000000',
  prompt_price_unit: '0.000001',
  prompt_tokens: 0,
  prompt_unit_price: '0',
  total_price: '0.0000000',
  total_tokens: 0,
});

/** `message_end`'s metadata of an annotation's answer: Dify's `annotation_reply` names the annotation and its author. */
export function annotationReplyMetadata(reply: AnnotationReply, authorName: string | null): Record<string, unknown> {
  return {
    annotation_reply: { account: { id: reply.accountId, name: authorName ?? UNKNOWN_AUTHOR }, id: reply.annotationId },
    retriever_resources: [],
    usage: { ...EMPTY_USAGE },
  };
}

/**
 * The stream of a chat turn an annotation answered, as Dify sends it: the answer as a `message`, then `message_end`
 * with `annotation_reply` in its metadata. No workflow ran, so no workflow events come (chatflows included).
 */
export function annotationReplyEvents(turn: AnsweredTurn, reply: AnnotationReply, authorName: string | null): RunStreamEvent[] {
  const common = {
    ...(turn.conversationId ? { conversation_id: turn.conversationId } : {}),
    created_at: turn.createdAt,
    message_id: turn.messageId,
    task_id: turn.taskId,
  };
  return [
    { ...common, answer: reply.answer, event: 'message', from_variable_selector: null, id: turn.messageId },
    { ...common, event: 'message_end', files: [], id: turn.messageId, metadata: annotationReplyMetadata(reply, authorName) },
  ];
}
