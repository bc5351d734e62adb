import { Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import { ActiveRequestSlot } from '../protection/rate-limit.interceptor';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import { ChatMessageService } from './chat-message.service';
import { BlockingMessageResponseSchema, CHAT_MODES, ChatRequestSchema, CompletionRequestSchema, UserBodySchema } from './conversation.dto';

const COMPLETION_MODES = new Set(['completion']);

/** Dify's chat and completion message routes: send a message (blocking or streaming) and stop its answer. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class ChatMessageController {
  constructor(private readonly messages: ChatMessageService) {}

  // The response is written by hand: a streaming answer keeps it open after the handler returns.
  @Post('chat-messages')
  @Audited(AUDITED_ROUTES.chatRunStarted)
  @ActiveRequestSlot()
  @HttpCode(200)
  @Returns(BlockingMessageResponseSchema)
  async chat(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedBody(ChatRequestSchema) body: z.infer<typeof ChatRequestSchema>,
    @Res() res: Response,
  ): Promise<void> {
    const blocking = await this.messages.chat(ctx, body, res);
    if (blocking) res.status(200).json(blocking);
  }

  @Post('chat-messages/:taskId/stop')
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async stopChat(
    @CurrentApp() ctx: AppKeyContext,
    @Param('taskId') taskId: string,
    @ParsedBody(UserBodySchema) body: z.infer<typeof UserBodySchema>,
  ): Promise<SuccessResult> {
    await this.messages.stop(ctx, taskId, body.user, CHAT_MODES, 'not_chat_app');
    return SUCCESS;
  }

  @Post('completion-messages')
  @Audited(AUDITED_ROUTES.completionRunStarted)
  @ActiveRequestSlot()
  @HttpCode(200)
  @Returns(BlockingMessageResponseSchema)
  async completion(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedBody(CompletionRequestSchema) body: z.infer<typeof CompletionRequestSchema>,
    @Res() res: Response,
  ): Promise<void> {
    const blocking = await this.messages.completion(ctx, body, res);
    if (blocking) res.status(200).json(blocking);
  }

  @Post('completion-messages/:taskId/stop')
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async stopCompletion(
    @CurrentApp() ctx: AppKeyContext,
    @Param('taskId') taskId: string,
    @ParsedBody(UserBodySchema) body: z.infer<typeof UserBodySchema>,
  ): Promise<SuccessResult> {
    await this.messages.stop(ctx, taskId, body.user, COMPLETION_MODES, 'not_completion_app');
    return SUCCESS;
  }
}
