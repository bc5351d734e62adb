import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { ConversationRepository } from './conversation.repository';
import { MessageSettler } from './message-settler.service';

/** NATS surface of conversations: the earlier turns node runners feed to LLM memory. */
@Injectable()
export class ConversationHistoryHandler {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly settler: MessageSettler,
  ) {}

  @OnRequest('gateway.conversation-history.v1')
  async history(req: RequestOf<'gateway.conversation-history.v1'>): Promise<ResponseOf<'gateway.conversation-history.v1'>> {
    await this.settler.settleConversation(req.workspaceId, req.conversationId);
    return { turns: await this.conversations.history(req.workspaceId, req.conversationId, req.limit) };
  }
}
