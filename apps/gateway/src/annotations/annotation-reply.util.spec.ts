import { annotationReplyEvents, annotationReplyMetadata, UNKNOWN_AUTHOR } from './annotation-reply.util';

const reply = {
  accountId: '1f2e3d4c-5b6a-4789-8abc-def012345678',
  annotationId: '8c4b1f0e-3a52-4d8e-9a53-0d5f2b3c4d5e',
  answer: 'Green tea.',
};
const turn = {
  conversationId: '11223344-5566-4788-99aa-bbccddeeff00',
  createdAt: 1_765_000_000,
  messageId: 'aaaaaaaa-5566-4788-99aa-bbccddeeff00',
  taskId: 'bbbbbbbb-5566-4788-99aa-bbccddeeff00',
};

describe('annotation reply events', () => {
  it('streams the answer as one message, then message_end naming the annotation and its author (no workflow events)', () => {
    const events = annotationReplyEvents(turn, reply, 'Ada');
    expect(events.map((e) => e.event)).toEqual(['message', 'message_end']);
    expect(events[0]).toEqual({
      answer: 'Green tea.',
      conversation_id: turn.conversationId,
      created_at: turn.createdAt,
      event: 'message',
      from_variable_selector: null,
      id: turn.messageId,
      message_id: turn.messageId,
      task_id: turn.taskId,
    });
    expect(events[1]).toMatchObject({
      conversation_id: turn.conversationId,
      event: 'message_end',
      files: [],
      id: turn.messageId,
      message_id: turn.messageId,
      metadata: { annotation_reply: { account: { id: reply.accountId, name: 'Ada' }, id: reply.annotationId }, retriever_resources: [] },
      task_id: turn.taskId,
    });
  });

  it('names an author whose account is gone as Dify does, and counts no tokens', () => {
    const metadata = annotationReplyMetadata(reply, null);
    expect(metadata['annotation_reply']).toEqual({ account: { id: reply.accountId, name: UNKNOWN_AUTHOR }, id: reply.annotationId });
    expect(UNKNOWN_AUTHOR).toBe('Dify user');
    expect(metadata['usage']).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, total_price: '0.0000000' });
  });

  it('leaves conversation_id out of a turn that has none', () => {
    const [message] = annotationReplyEvents({ ...turn, conversationId: null }, reply, 'Ada');
    expect(message).not.toHaveProperty('conversation_id');
  });
});
