import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  ConversationRecordSchema,
  ConversationVariableRecordSchema,
  type ConversationRecord,
  type ConversationVariableRecord,
  type MessageRecord,
} from '@weft/contracts';
import type { z } from 'zod';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import {
  AppFeedbackPageResponseSchema,
  AppFeedbacksQuerySchema,
  ConversationPageResponseSchema,
  ConversationsQuerySchema,
  FeedbackRequestSchema,
  MessagePageResponseSchema,
  MessagesQuerySchema,
  RenameRequestSchema,
  SuggestedResponseSchema,
  UpdateVariableRequestSchema,
  UserBodySchema,
  UserQuerySchema,
  VariablePageResponseSchema,
  VariablesQuerySchema,
  type AppFeedbackPage,
  type SuggestedResponse,
} from './conversation.dto';
import { ConversationService, type Page } from './conversation.service';

/** Dify's conversation and message routes of the chat family (`/v1/conversations…`, `/v1/messages…`), and the app's feedbacks. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class ConversationController {
  constructor(private readonly conversations: ConversationService) {}

  @Get('conversations')
  @Returns(ConversationPageResponseSchema)
  list(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedQuery(ConversationsQuerySchema) query: z.infer<typeof ConversationsQuerySchema>,
  ): Promise<Page<ConversationRecord>> {
    return this.conversations.list(ctx, query);
  }

  @Delete('conversations/:conversationId')
  @HttpCode(204)
  @Returns(null)
  async delete(
    @CurrentApp() ctx: AppKeyContext,
    @Param('conversationId') conversationId: string,
    @ParsedBody(UserBodySchema) body: z.infer<typeof UserBodySchema>,
  ): Promise<void> {
    await this.conversations.delete(ctx, conversationId, body.user);
  }

  @Post('conversations/:conversationId/name')
  @HttpCode(200)
  @Returns(ConversationRecordSchema)
  rename(
    @CurrentApp() ctx: AppKeyContext,
    @Param('conversationId') conversationId: string,
    @ParsedBody(RenameRequestSchema) body: z.infer<typeof RenameRequestSchema>,
  ): Promise<ConversationRecord> {
    return this.conversations.rename(ctx, conversationId, body);
  }

  @Get('conversations/:conversationId/variables')
  @Returns(VariablePageResponseSchema)
  variables(
    @CurrentApp() ctx: AppKeyContext,
    @Param('conversationId') conversationId: string,
    @ParsedQuery(VariablesQuerySchema) query: z.infer<typeof VariablesQuerySchema>,
  ): Promise<Page<ConversationVariableRecord>> {
    return this.conversations.variables(ctx, conversationId, query);
  }

  @Put('conversations/:conversationId/variables/:variableId')
  @Returns(ConversationVariableRecordSchema)
  updateVariable(
    @CurrentApp() ctx: AppKeyContext,
    @Param('conversationId') conversationId: string,
    @Param('variableId') variableId: string,
    @ParsedBody(UpdateVariableRequestSchema) body: z.infer<typeof UpdateVariableRequestSchema>,
  ): Promise<ConversationVariableRecord> {
    return this.conversations.updateVariable(ctx, conversationId, variableId, body.user, body.value);
  }

  @Get('messages')
  @Returns(MessagePageResponseSchema)
  messages(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedQuery(MessagesQuerySchema) query: z.infer<typeof MessagesQuerySchema>,
  ): Promise<Page<MessageRecord>> {
    return this.conversations.messages(ctx, query);
  }

  @Post('messages/:messageId/feedbacks')
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async feedback(
    @CurrentApp() ctx: AppKeyContext,
    @Param('messageId') messageId: string,
    @ParsedBody(FeedbackRequestSchema) body: z.infer<typeof FeedbackRequestSchema>,
  ): Promise<SuccessResult> {
    await this.conversations.feedback(ctx, messageId, body);
    return SUCCESS;
  }

  @Get('app/feedbacks')
  @Returns(AppFeedbackPageResponseSchema)
  appFeedbacks(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedQuery(AppFeedbacksQuerySchema) query: z.infer<typeof AppFeedbacksQuerySchema>,
  ): Promise<AppFeedbackPage> {
    return this.conversations.appFeedbacks(ctx, query);
  }

  @Get('messages/:messageId/suggested')
  @Returns(SuggestedResponseSchema)
  async suggested(
    @CurrentApp() ctx: AppKeyContext,
    @Param('messageId') messageId: string,
    @ParsedQuery(UserQuerySchema) query: z.infer<typeof UserQuerySchema>,
  ): Promise<SuggestedResponse> {
    return { data: await this.conversations.suggested(ctx, messageId, query.user), result: 'success' };
  }
}
