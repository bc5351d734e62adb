import { Module } from '@nestjs/common';
import { AnnotationsModule } from '../annotations/annotations.module';
import { AppsModule } from '../apps/apps.module';
import { ChatMessageController } from './chat-message.controller';
import { ChatMessageService } from './chat-message.service';
import { ConsoleConversationController } from './console-conversation.controller';
import { ConsoleConversationService } from './console-conversation.service';
import { ConversationController } from './conversation.controller';
import { ConversationService } from './conversation.service';

/**
 * Chat and completion apps at the edge: send a message (blocking or streamed) and stop it; list, rename
 * and delete conversations, read messages, give feedback, read and set conversation variables. The
 * orchestrator owns conversations and messages; these routes resolve the end user and relay.
 */
@Module({
  controllers: [ChatMessageController, ConsoleConversationController, ConversationController],
  imports: [AnnotationsModule, AppsModule],
  providers: [ChatMessageService, ConsoleConversationService, ConversationService],
})
export class ConversationsModule {}
