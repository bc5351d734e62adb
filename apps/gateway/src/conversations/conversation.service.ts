import { Injectable } from '@nestjs/common';
import { AppErrors, type ConversationRecord, type ConversationVariableRecord, type MessageRecord } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { z } from 'zod';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import {
  CHAT_MODES,
  type AppFeedbackPage,
  type AppFeedbacksQuerySchema,
  type ConversationsQuerySchema,
  type FeedbackRequestSchema,
  type MessagesQuerySchema,
  type RenameRequestSchema,
  type VariablesQuerySchema,
} from './conversation.dto';

/** A page in Dify's list shape. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  limit: number;
}

/**
 * Dify's conversation and message routes for one end user (the `user` string). The orchestrator owns
 * conversations and messages; this service resolves the end user from the app key and the `user` string,
 * so every request names its owner, and shapes the pages as Dify's Service API answers them.
 */
@Injectable()
export class ConversationService {
  constructor(
    private readonly endUsers: EndUserService,
    private readonly bus: MessageBus,
  ) {}

  async list(ctx: AppKeyContext, q: z.infer<typeof ConversationsQuerySchema>): Promise<Page<ConversationRecord>> {
    const owner = await this.owner(ctx, q.user);
    const page = await this.bus.request('wf.conversation.list.v1', {
      ...owner,
      lastId: q.last_id || null,
      limit: q.limit,
      sortBy: q.sort_by,
    });
    return { data: page.data, has_more: page.hasMore, limit: q.limit };
  }

  async delete(ctx: AppKeyContext, conversationId: string, user: string): Promise<void> {
    await this.bus.request('wf.conversation.delete.v1', { ...(await this.owner(ctx, user)), conversationId });
  }

  async rename(ctx: AppKeyContext, conversationId: string, body: z.infer<typeof RenameRequestSchema>): Promise<ConversationRecord> {
    const owner = await this.owner(ctx, body.user);
    return this.bus.request('wf.conversation.rename.v1', {
      ...owner,
      autoGenerate: body.auto_generate,
      conversationId,
      name: body.name ?? null,
    });
  }

  async messages(ctx: AppKeyContext, q: z.infer<typeof MessagesQuerySchema>): Promise<Page<MessageRecord>> {
    const owner = await this.owner(ctx, q.user);
    const page = await this.bus.request('wf.message.list.v1', {
      ...owner,
      conversationId: q.conversation_id,
      firstId: q.first_id || null,
      limit: q.limit,
    });
    return { data: page.data, has_more: page.hasMore, limit: q.limit };
  }

  async feedback(ctx: AppKeyContext, messageId: string, body: z.infer<typeof FeedbackRequestSchema>): Promise<void> {
    const owner = await this.owner(ctx, body.user, false);
    await this.bus.request('wf.message.feedback.v1', { ...owner, content: body.content ?? null, messageId, rating: body.rating });
  }

  /** Every feedback on the app's messages, of all its end users (the key speaks for the whole app here). */
  async appFeedbacks(ctx: AppKeyContext, q: z.infer<typeof AppFeedbacksQuerySchema>): Promise<AppFeedbackPage> {
    return this.bus.request('wf.message.feedback.list.v1', {
      appId: ctx.app.id,
      limit: q.limit,
      page: q.page,
      workspaceId: ctx.app.workspaceId,
    });
  }

  async suggested(ctx: AppKeyContext, messageId: string, user: string): Promise<string[]> {
    const owner = await this.owner(ctx, user);
    return (await this.bus.request('wf.message.suggested.v1', { ...owner, messageId })).questions;
  }

  async variables(
    ctx: AppKeyContext,
    conversationId: string,
    q: z.infer<typeof VariablesQuerySchema>,
  ): Promise<Page<ConversationVariableRecord>> {
    const owner = await this.owner(ctx, q.user);
    const page = await this.bus.request('wf.conversation.variables.list.v1', {
      ...owner,
      conversationId,
      lastId: q.last_id ?? null,
      limit: q.limit,
      variableName: q.variable_name ?? null,
    });
    return { data: page.data, has_more: page.hasMore, limit: q.limit };
  }

  async updateVariable(
    ctx: AppKeyContext,
    conversationId: string,
    variableId: string,
    user: string,
    value: unknown,
  ): Promise<ConversationVariableRecord> {
    return this.bus.request('wf.conversation.variables.update.v1', { ...(await this.owner(ctx, user)), conversationId, value, variableId });
  }

  /** The app and end user a request speaks for; the conversation routes serve chat apps only (feedback serves completion apps too). */
  private async owner(
    ctx: AppKeyContext,
    user: string,
    chatOnly = true,
  ): Promise<{ appId: string; endUserId: string; workspaceId: string }> {
    if (chatOnly && !CHAT_MODES.has(ctx.app.mode)) throw AppErrors.modeMismatch('not_chat_app');
    return {
      appId: ctx.app.id,
      endUserId: await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, user),
      workspaceId: ctx.app.workspaceId,
    };
  }
}
