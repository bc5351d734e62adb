import { Injectable } from '@nestjs/common';
import { DomainError, isUuid } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { z } from 'zod';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { ChatAssistService } from './chat-assist.service';
import { CHAT_MODES, type ConversationsQuerySchema, type FeedbackRequestSchema, type MessagesQuerySchema, type RenameRequestSchema, toConversationResponse, toMessageResponse, type VariablesQuerySchema } from './conversation.dto';
import { ConversationRepository, type ConversationRow } from './conversation.repository';
import { MessageSettler } from './message-settler.service';

const SUGGESTION_TURNS = 3;

/**
 * Dify's conversation and message routes for one end user (the `user` string): conversations and their
 * variables, message history, feedback and suggested questions. Whatever belongs to another user, app or
 * workspace is answered as not found.
 */
@Injectable()
export class ConversationService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly endUsers: EndUserService,
    private readonly assist: ChatAssistService,
    private readonly bus: MessageBus,
    private readonly settler: MessageSettler,
  ) {}

  async list(ctx: AppKeyContext, q: z.infer<typeof ConversationsQuerySchema>): Promise<Record<string, unknown>> {
    requireChatApp(ctx);
    const endUserId = await this.endUser(ctx, q.user);
    if (q.last_id !== undefined && !isUuid(q.last_id)) throw new DomainError('not_found', 'Last Conversation Not Exists.');
    const page = await this.conversations.listConversations(ctx.app.workspaceId, ctx.app.id, endUserId, { lastId: q.last_id ?? null, limit: q.limit, sort: q.sort_by });
    if (!page) throw new DomainError('not_found', 'Last Conversation Not Exists.');
    return { data: page.conversations.map(toConversationResponse), has_more: page.hasMore, limit: q.limit };
  }

  async delete(ctx: AppKeyContext, conversationId: string, user: string): Promise<void> {
    const conversation = await this.require(ctx, conversationId, user);
    await this.conversations.deleteConversation(ctx.app.workspaceId, conversation.id);
    await this.bus.request('wf.conversation.delete.v1', { appId: ctx.app.id, conversationId: conversation.id, workspaceId: ctx.app.workspaceId });
  }

  async rename(ctx: AppKeyContext, conversationId: string, body: z.infer<typeof RenameRequestSchema>): Promise<Record<string, unknown>> {
    const conversation = await this.require(ctx, conversationId, body.user);
    let name = (body.name ?? '').trim();
    if (body.auto_generate) {
      const query = await this.conversations.firstQuery(ctx.app.workspaceId, conversation.id);
      name = query === null ? conversation.name : await this.assist.conversationName(ctx, query);
    }
    const renamed = await this.conversations.renameConversation(ctx.app.workspaceId, conversation.id, name);
    if (!renamed) throw new DomainError('not_found', 'Conversation Not Exists.');
    return toConversationResponse(renamed);
  }

  async messages(ctx: AppKeyContext, q: z.infer<typeof MessagesQuerySchema>): Promise<Record<string, unknown>> {
    const conversation = await this.require(ctx, q.conversation_id, q.user);
    let before: { createdAt: Date; id: string } | null = null;
    if (q.first_id !== undefined) {
      const first = isUuid(q.first_id) ? await this.conversations.findMessage(ctx.app.workspaceId, ctx.app.id, conversation.endUserId, q.first_id) : null;
      if (!first || first.conversationId !== conversation.id) throw new DomainError('not_found', 'First Message Not Exists.');
      before = { createdAt: first.createdAt, id: first.id };
    }
    const page = await this.conversations.listMessages(conversation.id, ctx.app.workspaceId, { before, limit: q.limit });
    await this.settler.settle(page.messages);
    return { data: page.messages.map(toMessageResponse), has_more: page.hasMore, limit: q.limit };
  }

  async feedback(ctx: AppKeyContext, messageId: string, body: z.infer<typeof FeedbackRequestSchema>): Promise<void> {
    const message = await this.requireMessage(ctx, messageId, body.user);
    await this.conversations.setFeedback(message, body.rating, body.content ?? null);
  }

  async suggested(ctx: AppKeyContext, messageId: string, user: string): Promise<string[]> {
    requireChatApp(ctx);
    const message = await this.requireMessage(ctx, messageId, user);
    const turns = message.conversationId ? await this.conversations.history(ctx.app.workspaceId, message.conversationId, SUGGESTION_TURNS) : [];
    return this.assist.suggestedQuestions(ctx, turns.length > 0 ? turns : [{ answer: message.answer, query: message.query }]);
  }

  async variables(ctx: AppKeyContext, conversationId: string, q: z.infer<typeof VariablesQuerySchema>): Promise<Record<string, unknown>> {
    const conversation = await this.require(ctx, conversationId, q.user);
    const page = await this.bus.request('wf.conversation.variables.list.v1', {
      appId: ctx.app.id,
      conversationId: conversation.id,
      lastId: q.last_id ?? null,
      limit: q.limit,
      variableName: q.variable_name ?? null,
      workspaceId: ctx.app.workspaceId,
    });
    return { data: page.data, has_more: page.hasMore, limit: q.limit };
  }

  async updateVariable(ctx: AppKeyContext, conversationId: string, variableId: string, user: string, value: unknown): Promise<Record<string, unknown>> {
    const conversation = await this.require(ctx, conversationId, user);
    return this.bus.request('wf.conversation.variables.update.v1', { appId: ctx.app.id, conversationId: conversation.id, value, variableId, workspaceId: ctx.app.workspaceId });
  }

  private async require(ctx: AppKeyContext, conversationId: string, user: string): Promise<ConversationRow> {
    requireChatApp(ctx);
    const endUserId = await this.endUser(ctx, user);
    const conversation = isUuid(conversationId) ? await this.conversations.findConversation(ctx.app.workspaceId, ctx.app.id, endUserId, conversationId) : null;
    if (!conversation) throw new DomainError('not_found', 'Conversation Not Exists.');
    return conversation;
  }

  private async requireMessage(ctx: AppKeyContext, messageId: string, user: string) {
    const endUserId = await this.endUser(ctx, user);
    const message = isUuid(messageId) ? await this.conversations.findMessage(ctx.app.workspaceId, ctx.app.id, endUserId, messageId) : null;
    if (!message) throw new DomainError('not_found', 'Message Not Exists.');
    return message;
  }

  private endUser(ctx: AppKeyContext, user: string): Promise<string> {
    return this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, user);
  }
}

function requireChatApp(ctx: AppKeyContext): void {
  if (!CHAT_MODES.has(ctx.app.mode)) throw new DomainError('not_chat_app', 'Please check if your app mode matches the right API route.');
}
