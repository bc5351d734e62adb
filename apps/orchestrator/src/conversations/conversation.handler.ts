import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { ConversationService } from './conversation.service';

/** NATS surface of conversations: list, rename and delete them, their messages (and answers), feedback, suggestions and variables. */
@Injectable()
export class ConversationHandler {
  constructor(private readonly conversations: ConversationService) {}

  @OnRequest('wf.conversation.list.v1')
  list(req: RequestOf<'wf.conversation.list.v1'>): Promise<ResponseOf<'wf.conversation.list.v1'>> {
    return this.conversations.list(req);
  }

  @OnRequest('wf.conversation.app-list.v1')
  listForApp(req: RequestOf<'wf.conversation.app-list.v1'>): Promise<ResponseOf<'wf.conversation.app-list.v1'>> {
    return this.conversations.listForApp(req);
  }

  @OnRequest('wf.message.app-list.v1')
  messagesForApp(req: RequestOf<'wf.message.app-list.v1'>): Promise<ResponseOf<'wf.message.app-list.v1'>> {
    return this.conversations.messagesForApp(req);
  }

  @OnRequest('wf.conversation.rename.v1')
  rename(req: RequestOf<'wf.conversation.rename.v1'>): Promise<ResponseOf<'wf.conversation.rename.v1'>> {
    return this.conversations.rename(req);
  }

  @OnRequest('wf.conversation.delete.v1')
  delete(req: RequestOf<'wf.conversation.delete.v1'>): Promise<ResponseOf<'wf.conversation.delete.v1'>> {
    return this.conversations.delete(req);
  }

  @OnRequest('wf.conversation.variables.list.v1')
  variables(req: RequestOf<'wf.conversation.variables.list.v1'>): Promise<ResponseOf<'wf.conversation.variables.list.v1'>> {
    return this.conversations.listVariables(req);
  }

  @OnRequest('wf.conversation.variables.update.v1')
  updateVariable(req: RequestOf<'wf.conversation.variables.update.v1'>): Promise<ResponseOf<'wf.conversation.variables.update.v1'>> {
    return this.conversations.updateVariable(req);
  }

  @OnRequest('wf.message.list.v1')
  messages(req: RequestOf<'wf.message.list.v1'>): Promise<ResponseOf<'wf.message.list.v1'>> {
    return this.conversations.messages(req);
  }

  @OnRequest('wf.message.answer.v1')
  answer(req: RequestOf<'wf.message.answer.v1'>): Promise<ResponseOf<'wf.message.answer.v1'>> {
    return this.conversations.answer(req);
  }

  @OnRequest('wf.message.feedback.v1')
  feedback(req: RequestOf<'wf.message.feedback.v1'>): Promise<ResponseOf<'wf.message.feedback.v1'>> {
    return this.conversations.feedback(req);
  }

  @OnRequest('wf.message.feedback.list.v1')
  appFeedbacks(req: RequestOf<'wf.message.feedback.list.v1'>): Promise<ResponseOf<'wf.message.feedback.list.v1'>> {
    return this.conversations.listAppFeedbacks(req);
  }

  @OnRequest('wf.message.suggested.v1')
  suggested(req: RequestOf<'wf.message.suggested.v1'>): Promise<ResponseOf<'wf.message.suggested.v1'>> {
    return this.conversations.suggested(req);
  }
}
