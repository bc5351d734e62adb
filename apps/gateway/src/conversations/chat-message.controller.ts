import { parseBody } from '@weft/contracts';
import { Body, Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { ActiveRequestSlot } from '../protection/rate-limit.interceptor';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import { ChatMessageService } from './chat-message.service';
import { CHAT_MODES, ChatRequestSchema, CompletionRequestSchema, UserBodySchema } from './conversation.dto';

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
  async chat(@CurrentApp() ctx: AppKeyContext, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const blocking = await this.messages.chat(ctx, parseBody(ChatRequestSchema, body), res);
    if (blocking) res.status(200).json(blocking);
  }

  @Post('chat-messages/:taskId/stop')
  @HttpCode(200)
  async stopChat(@CurrentApp() ctx: AppKeyContext, @Param('taskId') taskId: string, @Body() body: unknown): Promise<{ result: 'success' }> {
    const { user } = parseBody(UserBodySchema, body);
    await this.messages.stop(ctx, taskId, user, CHAT_MODES, 'not_chat_app');
    return { result: 'success' };
  }

  @Post('completion-messages')
  @Audited(AUDITED_ROUTES.completionRunStarted)
  @ActiveRequestSlot()
  async completion(@CurrentApp() ctx: AppKeyContext, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const blocking = await this.messages.completion(ctx, parseBody(CompletionRequestSchema, body), res);
    if (blocking) res.status(200).json(blocking);
  }

  @Post('completion-messages/:taskId/stop')
  @HttpCode(200)
  async stopCompletion(@CurrentApp() ctx: AppKeyContext, @Param('taskId') taskId: string, @Body() body: unknown): Promise<{ result: 'success' }> {
    const { user } = parseBody(UserBodySchema, body);
    await this.messages.stop(ctx, taskId, user, COMPLETION_MODES, 'not_completion_app');
    return { result: 'success' };
  }
}
