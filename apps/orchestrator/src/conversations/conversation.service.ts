import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  type ChatTurn,
  type ChatTurnRequest,
  ConversationErrors,
  type ConversationTurn,
  isUuid,
  MessageErrors,
  type RequestOf,
  type ResponseOf,
} from '@weft/contracts';
import { checkValueType, isVariableValueType } from '@weft/workflow';
import { ChatAssistService } from './chat-assist.service';
import { ConversationVariableRepository } from './conversation-variable.repository';
import {
  toAppConversationRecord,
  toAppFeedbackRecord,
  toAppMessageRecord,
  toConversationRecord,
  toMessageRecord,
} from './conversation.dto';
import { ConversationRepository, type ConversationRow, type MessageOutcome, type MessageRow } from './conversation.repository';

const SUGGESTION_TURNS = 3;
const DEFAULT_NAME = 'New conversation';

/** Whose turn: the app and the end user the gateway resolved from the key and the `user` string. */
export interface TurnOwner {
  appId: string;
  endUserId: string;
  workspaceId: string;
}

/** An end user of an app, or (`endUserId` null) the whole app, for the console. */
type OwnerOrApp = Omit<TurnOwner, 'endUserId'> & { endUserId: string | null };

/** A turn opened by `beginTurn`: what the run stores, and what is undone if the run is refused after all. */
export interface OpenedTurn {
  chat: ChatTurn;
  createdConversation: boolean;
  inputs: Record<string, unknown>;
}

/**
 * Conversations and messages of chat-family apps, beside the runs that answer them. A turn's message is
 * stored (running) with its run and completed by whoever finishes the run, here or on the orchestrator
 * that resumes it. Reads for the Service API name the end user: another user's conversation, message or
 * variable is answered as not found, exactly like a random id.
 */
@Injectable()
export class ConversationService {
  private readonly logger = new Logger(ConversationService.name);

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly variables: ConversationVariableRepository,
    private readonly assist: ChatAssistService,
  ) {}

  /** The open conversation a turn continues, with the inputs of its first turn (later turns' inputs are ignored, as in Dify). */
  async continued(owner: TurnOwner, conversationId: string): Promise<ConversationRow> {
    const conversation = await this.require(owner, conversationId);
    if (conversation.status !== 'normal') throw ConversationErrors.ended();
    return conversation;
  }

  /**
   * Stores a turn's message as running, in `conversation` or in a new conversation (none for completion
   * apps), and counts the turn. Called once the run is known to be valid, just before it is stored. A turn
   * an annotation answers has no run (`runId` null) and its message is stored answered with `answer`. Null
   * when the message is already stored (an earlier attempt of the same start): a conversation created here
   * for it is removed again, and nothing else changes.
   */
  async beginTurn(
    owner: TurnOwner,
    request: ChatTurnRequest,
    conversation: ConversationRow | null,
    inputs: Record<string, unknown>,
    run: { files: unknown[]; runId: string | null; taskId: string },
    answer: string | null = null,
  ): Promise<OpenedTurn | null> {
    let conversationId = conversation?.id ?? null;
    const createdConversation = conversation === null && request.mode !== 'completion';
    if (createdConversation) {
      conversationId = randomUUID();
      await this.conversations.createConversation({
        ...owner,
        id: conversationId,
        inputs,
        introduction: '',
        mode: request.mode,
        name: DEFAULT_NAME,
      });
    }
    const dialogueCount = await this.conversations.startTurn(
      {
        ...owner,
        conversationId,
        files: run.files,
        id: request.messageId,
        inputs,
        query: request.query,
        taskId: run.taskId,
        workflowRunId: run.runId,
      },
      answer,
    );
    if (dialogueCount === null) {
      if (createdConversation && conversationId) await this.conversations.deleteConversation(owner.workspaceId, conversationId);
      return null;
    }
    return {
      chat: { conversationId, dialogueCount, messageId: request.messageId, mode: request.mode, query: request.query },
      createdConversation,
      inputs,
    };
  }

  /**
   * The turn an earlier attempt of a start stored with this message id, or null: its message, and the turn as
   * its run would carry it (the dialogue count is the conversation's now, which is the turn's own unless a later
   * turn was started meanwhile).
   */
  async storedTurn(owner: TurnOwner, request: ChatTurnRequest): Promise<{ message: MessageRow; turn: OpenedTurn } | null> {
    const message = await this.conversations.findMessage(owner.workspaceId, owner.appId, owner.endUserId, request.messageId);
    if (!message) return null;
    const conversation = message.conversationId
      ? await this.conversations.findConversation(owner.workspaceId, owner.appId, owner.endUserId, message.conversationId)
      : null;
    return {
      message,
      turn: {
        chat: {
          conversationId: message.conversationId,
          dialogueCount: conversation?.dialogueCount ?? 1,
          messageId: message.id,
          mode: request.mode,
          query: message.query,
        },
        createdConversation: false,
        inputs: message.inputs,
      },
    };
  }

  /** Undoes a turn whose run could not be stored: a conversation it created goes, else its message is marked failed. */
  async abandonTurn(workspaceId: string, turn: OpenedTurn, reason: string): Promise<void> {
    if (turn.createdConversation && turn.chat.conversationId)
      await this.conversations.deleteConversation(workspaceId, turn.chat.conversationId);
    else await this.conversations.finishTurn(workspaceId, turn.chat.messageId, { ...FAILED, error: reason });
  }

  /** Stores how a turn ended; only a message still running changes, so a resumed run finishing it again changes nothing. */
  finishTurn(workspaceId: string, messageId: string, outcome: MessageOutcome): Promise<void> {
    return this.conversations.finishTurn(workspaceId, messageId, outcome);
  }

  /** Has the app's model name a new conversation after its first turn; the query itself, shortened, if it cannot. */
  nameInBackground(owner: TurnOwner, conversationId: string, query: string): void {
    void this.assist
      .conversationName(owner, query)
      .then((name) => this.conversations.renameConversation(owner.workspaceId, conversationId, name, false))
      .catch((error: unknown) => this.logger.warn(`Conversation "${conversationId}" was not named: ${(error as Error).message}`));
  }

  /** The last `limit` finished turns of a conversation, oldest first, for the memory of the nodes of its next run. */
  history(workspaceId: string, conversationId: string, limit: number): Promise<ConversationTurn[]> {
    return this.conversations.history(workspaceId, conversationId, limit);
  }

  async list(req: RequestOf<'wf.conversation.list.v1'>): Promise<ResponseOf<'wf.conversation.list.v1'>> {
    if (req.lastId !== null && !isUuid(req.lastId)) throw ConversationErrors.lastNotFound();
    const page = await this.conversations.listConversations(req.workspaceId, req.appId, req.endUserId, {
      lastId: req.lastId,
      limit: req.limit,
      sort: req.sortBy,
    });
    if (!page) throw ConversationErrors.lastNotFound();
    return { data: page.conversations.map(toConversationRecord), hasMore: page.hasMore };
  }

  async rename(req: RequestOf<'wf.conversation.rename.v1'>): Promise<ResponseOf<'wf.conversation.rename.v1'>> {
    const conversation = await this.require(req, req.conversationId);
    let name = (req.name ?? '').trim();
    if (req.autoGenerate) {
      const query = await this.conversations.firstQuery(req.workspaceId, conversation.id);
      name = query === null ? conversation.name : await this.assist.conversationName(req, query);
    }
    const renamed = await this.conversations.renameConversation(req.workspaceId, conversation.id, name);
    if (!renamed) throw ConversationErrors.notFound();
    return toConversationRecord(renamed);
  }

  async delete(req: RequestOf<'wf.conversation.delete.v1'>): Promise<ResponseOf<'wf.conversation.delete.v1'>> {
    const conversation = await this.require(req, req.conversationId);
    await this.conversations.deleteConversation(req.workspaceId, conversation.id);
    return { deleted: true };
  }

  async messages(req: RequestOf<'wf.message.list.v1'>): Promise<ResponseOf<'wf.message.list.v1'>> {
    const conversation = await this.require(req, req.conversationId);
    let before: { createdAt: Date; id: string } | null = null;
    if (req.firstId !== null) {
      const first = isUuid(req.firstId)
        ? await this.conversations.findMessage(req.workspaceId, req.appId, req.endUserId, req.firstId)
        : null;
      if (!first || first.conversationId !== conversation.id) throw MessageErrors.firstNotFound();
      before = { createdAt: first.createdAt, id: first.id };
    }
    const page = await this.conversations.listMessages(conversation.id, req.workspaceId, { before, limit: req.limit });
    return { data: page.messages.map(toMessageRecord), hasMore: page.hasMore };
  }

  /** The console's page of an app's conversations, every end user's. */
  async listForApp(req: RequestOf<'wf.conversation.app-list.v1'>): Promise<ResponseOf<'wf.conversation.app-list.v1'>> {
    const page =
      req.lastId === null || isUuid(req.lastId) ? await this.conversations.listAppConversations(req.workspaceId, req.appId, req) : null;
    if (!page) throw ConversationErrors.lastNotFound();
    return { data: page.conversations.map(toAppConversationRecord), hasMore: page.hasMore };
  }

  /** The console's page of a conversation's messages, whichever end user's it is. */
  async messagesForApp(req: RequestOf<'wf.message.app-list.v1'>): Promise<ResponseOf<'wf.message.app-list.v1'>> {
    const owner = { appId: req.appId, endUserId: null, workspaceId: req.workspaceId };
    const conversation = await this.require(owner, req.conversationId);
    let before: { createdAt: Date; id: string } | null = null;
    if (req.firstId !== null) {
      const first = isUuid(req.firstId) ? await this.conversations.findMessage(req.workspaceId, req.appId, null, req.firstId) : null;
      if (!first || first.conversationId !== conversation.id) throw MessageErrors.firstNotFound();
      before = { createdAt: first.createdAt, id: first.id };
    }
    const page = await this.conversations.listMessages(conversation.id, req.workspaceId, { before, limit: req.limit });
    return { data: page.messages.map(toAppMessageRecord), hasMore: page.hasMore };
  }

  async feedback(req: RequestOf<'wf.message.feedback.v1'>): Promise<ResponseOf<'wf.message.feedback.v1'>> {
    const message = await this.requireMessage(req, req.messageId);
    if (req.rating === null && !message.feedback) throw MessageErrors.feedbackNotGiven();
    await this.conversations.setFeedback(message, req.rating, req.content);
    return { ok: true };
  }

  /** A message's answer as stored so far, for reading it aloud; another end user's or app's message is not found. */
  async answer(req: RequestOf<'wf.message.answer.v1'>): Promise<ResponseOf<'wf.message.answer.v1'>> {
    const message = await this.requireMessage(req, req.messageId);
    return { answer: message.answer, status: message.status };
  }

  async listAppFeedbacks(req: RequestOf<'wf.message.feedback.list.v1'>): Promise<ResponseOf<'wf.message.feedback.list.v1'>> {
    const rows = await this.conversations.listAppFeedbacks(req.workspaceId, req.appId, req.limit, (req.page - 1) * req.limit);
    return { data: rows.map(toAppFeedbackRecord) };
  }

  async suggested(req: RequestOf<'wf.message.suggested.v1'>): Promise<ResponseOf<'wf.message.suggested.v1'>> {
    const message = await this.requireMessage(req, req.messageId);
    const turns = message.conversationId ? await this.conversations.history(req.workspaceId, message.conversationId, SUGGESTION_TURNS) : [];
    return {
      questions: await this.assist.suggestedQuestions(req, turns.length > 0 ? turns : [{ answer: message.answer, query: message.query }]),
    };
  }

  async listVariables(req: RequestOf<'wf.conversation.variables.list.v1'>): Promise<ResponseOf<'wf.conversation.variables.list.v1'>> {
    const conversation = await this.require(req, req.conversationId);
    let rows = await this.variables.list(req.workspaceId, req.appId, conversation.id);
    if (req.variableName) rows = rows.filter((r) => r.name === req.variableName);
    if (req.lastId) {
      const at = rows.findIndex((r) => r.id === req.lastId);
      rows = at < 0 ? [] : rows.slice(at + 1);
    }
    const page = rows.slice(0, req.limit).map(({ position: _position, ...record }) => record);
    return { data: page, hasMore: rows.length > req.limit };
  }

  /** Dify refuses a value of another type than the variable's with 400 and says which it expected. */
  async updateVariable(req: RequestOf<'wf.conversation.variables.update.v1'>): Promise<ResponseOf<'wf.conversation.variables.update.v1'>> {
    const conversation = await this.require(req, req.conversationId);
    const current = await this.variables.find(req.workspaceId, req.appId, conversation.id, req.variableId);
    if (!current) throw ConversationErrors.variableNotFound();
    const type = current.value_type;
    const problem = isVariableValueType(type) ? checkValueType(type, req.value) : null;
    if (problem) throw ConversationErrors.variableTypeMismatch(current.name, problem);
    const updated = await this.variables.update(req.workspaceId, req.appId, conversation.id, req.variableId, req.value);
    if (!updated) throw ConversationErrors.variableNotFound();
    return updated;
  }

  /** A conversation of the owner (of any end user of the app, with `endUserId` null: the console). */
  private async require(owner: OwnerOrApp, conversationId: string): Promise<ConversationRow> {
    const conversation = isUuid(conversationId)
      ? await this.conversations.findConversation(owner.workspaceId, owner.appId, owner.endUserId, conversationId)
      : null;
    if (!conversation) throw ConversationErrors.notFound();
    return conversation;
  }

  private async requireMessage(owner: OwnerOrApp, messageId: string): Promise<MessageRow> {
    const message = isUuid(messageId)
      ? await this.conversations.findMessage(owner.workspaceId, owner.appId, owner.endUserId, messageId)
      : null;
    if (!message) throw MessageErrors.notFound();
    return message;
  }
}

/** A turn that ended without an answer. */
export const FAILED: MessageOutcome = {
  agentThoughts: [],
  answer: '',
  answerTokens: 0,
  currency: 'USD',
  error: null,
  latency: 0,
  messageTokens: 0,
  retrieverResources: [],
  status: 'error',
  totalPrice: '0',
};
