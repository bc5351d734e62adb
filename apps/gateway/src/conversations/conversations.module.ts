import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ChatAssistService } from './chat-assist.service';
import { ChatMessageController } from './chat-message.controller';
import { ChatMessageService } from './chat-message.service';
import { ConversationHistoryHandler } from './conversation-history.handler';
import { ConversationController } from './conversation.controller';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { MessageSettler } from './message-settler.service';

/** Chat and completion apps: messages, conversations, their history and variables. */
@Module({
  controllers: [ChatMessageController, ConversationController],
  imports: [AppsModule],
  providers: [ChatAssistService, ChatMessageService, ConversationHistoryHandler, ConversationRepository, ConversationService, MessageSettler],
})
export class ConversationsModule {}
