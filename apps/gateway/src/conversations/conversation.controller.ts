import { type ConversationRecord, type ConversationVariableRecord, type MessageRecord, parseBody } from '@weft/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import {
  ConversationsQuerySchema,
  FeedbackRequestSchema,
  MessagesQuerySchema,
  RenameRequestSchema,
  UpdateVariableRequestSchema,
  UserBodySchema,
  UserQuerySchema,
  VariablesQuerySchema,
} from './conversation.dto';
import { ConversationService, type Page } from './conversation.service';

/** Dify's conversation and message routes of the chat family (`/v1/conversations…`, `/v1/messages…`). */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class ConversationController {
  constructor(private readonly conversations: ConversationService) {}

  @Get('conversations')
  list(@CurrentApp() ctx: AppKeyContext, @Query() query: unknown): Promise<Page<ConversationRecord>> {
    return this.conversations.list(ctx, parseBody(ConversationsQuerySchema, query));
  }

  @Delete('conversations/:conversationId')
  @HttpCode(204)
  async delete(@CurrentApp() ctx: AppKeyContext, @Param('conversationId') conversationId: string, @Body() body: unknown): Promise<void> {
    await this.conversations.delete(ctx, conversationId, parseBody(UserBodySchema, body).user);
  }

  @Post('conversations/:conversationId/name')
  @HttpCode(200)
  rename(@CurrentApp() ctx: AppKeyContext, @Param('conversationId') conversationId: string, @Body() body: unknown): Promise<ConversationRecord> {
    return this.conversations.rename(ctx, conversationId, parseBody(RenameRequestSchema, body));
  }

  @Get('conversations/:conversationId/variables')
  variables(@CurrentApp() ctx: AppKeyContext, @Param('conversationId') conversationId: string, @Query() query: unknown): Promise<Page<ConversationVariableRecord>> {
    return this.conversations.variables(ctx, conversationId, parseBody(VariablesQuerySchema, query));
  }

  @Put('conversations/:conversationId/variables/:variableId')
  updateVariable(
    @CurrentApp() ctx: AppKeyContext,
    @Param('conversationId') conversationId: string,
    @Param('variableId') variableId: string,
    @Body() body: unknown,
  ): Promise<ConversationVariableRecord> {
    const { user, value } = parseBody(UpdateVariableRequestSchema, body);
    return this.conversations.updateVariable(ctx, conversationId, variableId, user, value);
  }

  @Get('messages')
  messages(@CurrentApp() ctx: AppKeyContext, @Query() query: unknown): Promise<Page<MessageRecord>> {
    return this.conversations.messages(ctx, parseBody(MessagesQuerySchema, query));
  }

  @Post('messages/:messageId/feedbacks')
  @HttpCode(200)
  async feedback(@CurrentApp() ctx: AppKeyContext, @Param('messageId') messageId: string, @Body() body: unknown): Promise<{ result: 'success' }> {
    await this.conversations.feedback(ctx, messageId, parseBody(FeedbackRequestSchema, body));
    return { result: 'success' };
  }

  @Get('messages/:messageId/suggested')
  async suggested(@CurrentApp() ctx: AppKeyContext, @Param('messageId') messageId: string, @Query() query: unknown): Promise<{ data: string[]; result: 'success' }> {
    const { user } = parseBody(UserQuerySchema, query);
    return { data: await this.conversations.suggested(ctx, messageId, user), result: 'success' };
  }
}
