import { Injectable } from '@nestjs/common';
import { AppErrors } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { AppRepository, type AppRow } from '../apps/app.repository';
import { AppService } from '../apps/app.service';
import type {
  ConsoleConversationPage,
  ConsoleConversationsQuery,
  ConsoleFeedbackRequest,
  ConsoleMessagePage,
  ConsoleMessagesQuery,
} from './console-conversation.dto';
import { CHAT_MODES } from './conversation.dto';

/**
 * The console's view of a chat app's conversations and messages, every end user's, and a workspace editor's feedback
 * on them. The orchestrator owns them; the gateway adds each end user's session id (the API's `user`), which it owns.
 */
@Injectable()
export class ConsoleConversationService {
  constructor(
    private readonly apps: AppService,
    private readonly appRows: AppRepository,
    private readonly bus: MessageBus,
  ) {}

  async conversations(user: ConsoleUser, appId: string, q: ConsoleConversationsQuery): Promise<ConsoleConversationPage> {
    const app = await this.chatApp(user, appId);
    const page = await this.bus.request('wf.conversation.app-list.v1', {
      appId: app.id,
      lastId: q.last_id ?? null,
      limit: q.limit,
      workspaceId: app.workspaceId,
    });
    const sessions = await this.appRows.endUserSessions(
      app.workspaceId,
      app.id,
      page.data.map((c) => c.from_end_user_id),
    );
    return {
      data: page.data.map((c) => ({ ...c, from_end_user_session_id: sessions.get(c.from_end_user_id) ?? null })),
      has_more: page.hasMore,
      limit: q.limit,
    };
  }

  async messages(user: ConsoleUser, appId: string, q: ConsoleMessagesQuery): Promise<ConsoleMessagePage> {
    const app = await this.chatApp(user, appId);
    const page = await this.bus.request('wf.message.app-list.v1', {
      appId: app.id,
      conversationId: q.conversation_id,
      firstId: q.first_id ?? null,
      limit: q.limit,
      workspaceId: app.workspaceId,
    });
    return { data: page.data, has_more: page.hasMore, limit: q.limit };
  }

  /** Rates any message of the app (completion apps' too, as the Service API's feedback route does). */
  async feedback(user: ConsoleUser, appId: string, body: ConsoleFeedbackRequest): Promise<void> {
    const app = await this.apps.requireApp(user, appId);
    await this.bus.request('wf.message.feedback.v1', {
      appId: app.id,
      content: null,
      endUserId: null,
      messageId: body.message_id,
      rating: body.rating,
      workspaceId: app.workspaceId,
    });
  }

  private async chatApp(user: ConsoleUser, appId: string): Promise<AppRow> {
    const app = await this.apps.requireApp(user, appId);
    if (!CHAT_MODES.has(app.mode)) throw AppErrors.modeMismatch('not_chat_app');
    return app;
  }
}
