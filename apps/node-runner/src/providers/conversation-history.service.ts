import { Injectable } from '@nestjs/common';
import type { ConversationTurn } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { ConversationHistorySource } from '../nodes/conversation-memory.util';

const LOOKUP_TIMEOUT_MS = 5_000;

/** A conversation's earlier turns, asked of the gateway, which owns conversations and messages. */
@Injectable()
export class ConversationHistoryService implements ConversationHistorySource {
  constructor(private readonly bus: MessageBus) {}

  async turns(workspaceId: string, conversationId: string, limit: number): Promise<ConversationTurn[]> {
    const { turns } = await this.bus.request('gateway.conversation-history.v1', { conversationId, limit, workspaceId }, { timeoutMs: LOOKUP_TIMEOUT_MS });
    return turns;
  }
}
