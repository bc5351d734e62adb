import { pythonIsoFormat, toAppFeedbackRecord } from './conversation.dto';

describe('pythonIsoFormat', () => {
  it('writes UTC without a zone, with microseconds only when there are any, like datetime.isoformat()', () => {
    expect(pythonIsoFormat(new Date('2024-01-16T12:00:29.734Z'))).toBe('2024-01-16T12:00:29.734000');
    expect(pythonIsoFormat(new Date('2024-01-16T12:00:29.005Z'))).toBe('2024-01-16T12:00:29.005000');
    expect(pythonIsoFormat(new Date('2024-01-16T12:00:29Z'))).toBe('2024-01-16T12:00:29');
    expect(pythonIsoFormat(new Date('2024-01-16T13:00:29+01:00'))).toBe('2024-01-16T12:00:29');
  });
});

describe('toAppFeedbackRecord', () => {
  it('lists an end user`s feedback as Dify does, the message id standing for the feedback id', () => {
    const row = {
      appId: 'a0000000-0000-4000-8000-000000000001',
      content: 'Spot on',
      conversationId: 'c0000000-0000-4000-8000-000000000001',
      createdAt: new Date('2024-01-16T12:00:29Z'),
      endUserId: 'e0000000-0000-4000-8000-000000000001',
      messageId: 'b0000000-0000-4000-8000-000000000001',
      rating: 'like',
      updatedAt: new Date('2024-01-16T12:01:00.5Z'),
    };
    expect(toAppFeedbackRecord(row)).toEqual({
      app_id: row.appId,
      content: 'Spot on',
      conversation_id: row.conversationId,
      created_at: '2024-01-16T12:00:29',
      from_account_id: null,
      from_end_user_id: row.endUserId,
      from_source: 'user',
      id: row.messageId,
      message_id: row.messageId,
      rating: 'like',
      updated_at: '2024-01-16T12:01:00.500000',
    });
  });
});
