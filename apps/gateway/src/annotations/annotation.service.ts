import { Injectable } from '@nestjs/common';
import { AppErrors, type AnnotationRecord } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { CHAT_MODES } from '../conversations/conversation.dto';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { AnnotationAuthorRepository } from './annotation-author.repository';
import type {
  AnnotationJobResponse,
  AnnotationJobStatusResponse,
  AnnotationListQuery,
  AnnotationPage,
  AnnotationReplyRequest,
  AnnotationRequest,
} from './annotation.dto';

/** The most annotations one page holds, whatever `limit` asks (Dify's `max_per_page`). */
const MAX_PAGE_SIZE = 100;

/**
 * Dify's annotation routes of the Service API for the app behind the key (chat apps only). The orchestrator owns
 * annotations, their embeddings and the reply jobs; this service names the app and, as Dify does through an app key,
 * the workspace's owner as the author of what it writes, and shapes Dify's page.
 */
@Injectable()
export class AnnotationService {
  constructor(
    private readonly bus: MessageBus,
    private readonly authors: AnnotationAuthorRepository,
  ) {}

  /** Dify's numbered page: `has_more` says whether the page came back full (Dify's own rule), `total` counts every match. */
  async list(ctx: AppKeyContext, query: AnnotationListQuery): Promise<AnnotationPage> {
    const found = await this.bus.request('wf.annotation.list.v1', {
      ...this.app(ctx),
      keyword: query.keyword,
      limit: Math.min(query.limit, MAX_PAGE_SIZE),
      page: query.page,
    });
    return { data: found.data, has_more: found.data.length === query.limit, limit: query.limit, page: query.page, total: found.total };
  }

  async create(ctx: AppKeyContext, body: AnnotationRequest): Promise<AnnotationRecord> {
    const app = this.app(ctx);
    const owner = await this.authors.owner(app.workspaceId);
    return this.bus.request('wf.annotation.create.v1', {
      ...app,
      accountId: owner?.id ?? null,
      answer: body.answer,
      question: body.question,
    });
  }

  async update(ctx: AppKeyContext, annotationId: string, body: AnnotationRequest): Promise<AnnotationRecord> {
    return this.bus.request('wf.annotation.update.v1', { ...this.app(ctx), annotationId, answer: body.answer, question: body.question });
  }

  async delete(ctx: AppKeyContext, annotationId: string): Promise<void> {
    await this.bus.request('wf.annotation.delete.v1', { ...this.app(ctx), annotationId });
  }

  /** Starts the job that turns annotation reply on (embedding every question with the named model) or off. */
  async replyAction(ctx: AppKeyContext, action: string, body: AnnotationReplyRequest): Promise<AnnotationJobResponse> {
    const app = this.app(ctx);
    const owner = await this.authors.owner(app.workspaceId);
    return this.bus.request('wf.annotation.reply.v1', {
      ...app,
      accountId: owner?.id ?? null,
      action,
      embeddingModel: body.embedding_model_name,
      embeddingProvider: body.embedding_provider_name,
      scoreThreshold: body.score_threshold,
    });
  }

  async replyStatus(ctx: AppKeyContext, action: string, jobId: string): Promise<AnnotationJobStatusResponse> {
    return this.bus.request('wf.annotation.reply-status.v1', { ...this.app(ctx), action, jobId });
  }

  /** The app a request speaks for; annotations serve the chat family only. */
  private app(ctx: AppKeyContext): { appId: string; workspaceId: string } {
    if (!CHAT_MODES.has(ctx.app.mode)) throw AppErrors.modeMismatch('not_chat_app');
    return { appId: ctx.app.id, workspaceId: ctx.app.workspaceId };
  }
}
