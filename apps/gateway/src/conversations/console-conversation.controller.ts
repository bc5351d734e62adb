import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import {
  ConsoleConversationPageSchema,
  ConsoleConversationsQuerySchema,
  ConsoleFeedbackRequestSchema,
  ConsoleMessagePageSchema,
  ConsoleMessagesQuerySchema,
  type ConsoleConversationPage,
  type ConsoleConversationsQuery,
  type ConsoleFeedbackRequest,
  type ConsoleMessagePage,
  type ConsoleMessagesQuery,
} from './console-conversation.dto';
import { ConsoleConversationService } from './console-conversation.service';

/** The console's conversations and messages of a chat app (Dify's console names): every member reads; feedback needs an editor. */
@Controller('console/api/apps/:appId')
@UseGuards(ConsoleAuthGuard)
export class ConsoleConversationController {
  constructor(private readonly conversations: ConsoleConversationService) {}

  /** Every end user's conversations, most recently active first, keyset-paged after `last_id`. */
  @Get('chat-conversations')
  @Returns(ConsoleConversationPageSchema)
  list(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @ParsedQuery(ConsoleConversationsQuerySchema) query: ConsoleConversationsQuery,
  ): Promise<ConsoleConversationPage> {
    return this.conversations.conversations(user, appId, query);
  }

  /** A conversation's messages, oldest first, paged back in time from `first_id`. */
  @Get('chat-messages')
  @Returns(ConsoleMessagePageSchema)
  messages(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @ParsedQuery(ConsoleMessagesQuerySchema) query: ConsoleMessagesQuery,
  ): Promise<ConsoleMessagePage> {
    return this.conversations.messages(user, appId, query);
  }

  @Post('feedbacks')
  @RequireRole('editor')
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async feedback(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @ParsedBody(ConsoleFeedbackRequestSchema) body: ConsoleFeedbackRequest,
  ): Promise<SuccessResult> {
    await this.conversations.feedback(user, appId, body);
    return SUCCESS;
  }
}
