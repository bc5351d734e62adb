import { Injectable, Logger } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import { ConversationRepository, type MessageOutcome, type MessageRow } from './conversation.repository';

/** A running message younger than this is still being followed by the gateway that started it. */
const FOLLOWED_FOR_MS = 3_000;

/**
 * Completes messages left running by a gateway that died mid-turn: the orchestrator still finished the
 * run, so the answer is in the stored run. Settled lazily, when a conversation's messages or history are
 * read, so a lost gateway never leaves a conversation with a turn that is forever unanswered.
 */
@Injectable()
export class MessageSettler {
  private readonly logger = new Logger(MessageSettler.name);

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly bus: MessageBus,
  ) {}

  /** Settles the given messages in place. */
  settle(messages: MessageRow[]): Promise<void> {
    return this.conversations.settle(messages, (m) => this.outcome(m));
  }

  /** Settles every running message of a conversation. */
  async settleConversation(workspaceId: string, conversationId: string): Promise<void> {
    const running = await this.conversations.runningMessages(workspaceId, conversationId);
    if (running.length > 0) await this.settle(running);
  }

  private async outcome(message: MessageRow): Promise<MessageOutcome | null> {
    if (!message.workflowRunId || Date.now() - message.createdAt.getTime() < FOLLOWED_FOR_MS) return null;
    try {
      const run = await this.bus.request('wf.run.get.v1', { appId: message.appId, runId: message.workflowRunId, workspaceId: message.workspaceId });
      if (run.status === 'running') return null;
      const answer = typeof run.outputs?.['answer'] === 'string' ? run.outputs['answer'] : '';
      this.logger.log(`Message "${message.id}" settled from its run "${run.id}" (${run.status})`);
      return {
        answer,
        answerTokens: 0,
        currency: 'USD',
        error: run.status === 'failed' ? run.error : null,
        latency: run.elapsed_time,
        messageTokens: 0,
        retrieverResources: [],
        status: run.status === 'failed' ? 'error' : 'normal',
        totalPrice: '0',
      };
    } catch (error) {
      // A run that was never stored (the start was refused) has nothing to settle from.
      this.logger.warn(`Message "${message.id}" could not be settled: ${(error as Error).message}`);
      return null;
    }
  }
}
