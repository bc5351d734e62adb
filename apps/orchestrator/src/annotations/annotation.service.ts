import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type AnnotationReply, isUuid, type RequestOf, type ResponseOf } from '@weft/contracts';
import { AnnotationEmbeddingRepository } from './annotation-embedding.repository';
import { AnnotationIndexService } from './annotation-index.service';
import { toAnnotationRecord } from './annotation.dto';
import { AnnotationErrors } from './annotation.exception';
import { AnnotationRepository } from './annotation.repository';
import { isCloseEnough, replyActionOf } from './annotation.util';

/** How long a chat turn waits for its query's embedding before it runs its workflow as if nothing matched. */
const MATCH_TIMEOUT_MS = 5_000;

/**
 * Annotations of chat apps and their reply: the Service API's list, create, update and delete, the jobs that turn
 * reply on and off, and the question a chat query matches. Every request names the workspace and the app: an
 * annotation or job of another is answered as not found, exactly like a random id.
 */
@Injectable()
export class AnnotationService {
  private readonly logger = new Logger(AnnotationService.name);

  constructor(
    private readonly annotations: AnnotationRepository,
    private readonly embeddings: AnnotationEmbeddingRepository,
    private readonly index: AnnotationIndexService,
  ) {}

  async list(req: RequestOf<'wf.annotation.list.v1'>): Promise<ResponseOf<'wf.annotation.list.v1'>> {
    const page = await this.annotations.page(req.workspaceId, req.appId, { keyword: req.keyword, limit: req.limit, page: req.page });
    return { data: page.rows.map(toAnnotationRecord), total: page.total };
  }

  async create(req: RequestOf<'wf.annotation.create.v1'>): Promise<ResponseOf<'wf.annotation.create.v1'>> {
    const row = await this.annotations.create({
      accountId: req.accountId,
      answer: req.answer,
      appId: req.appId,
      id: randomUUID(),
      question: req.question,
      workspaceId: req.workspaceId,
    });
    await this.index.embedQuestion(req.workspaceId, req.appId, row);
    return toAnnotationRecord(row);
  }

  async update(req: RequestOf<'wf.annotation.update.v1'>): Promise<ResponseOf<'wf.annotation.update.v1'>> {
    if (!isUuid(req.annotationId)) throw AnnotationErrors.malformedId();
    const row = await this.annotations.update(req.workspaceId, req.appId, req.annotationId, req.question, req.answer);
    if (!row) throw AnnotationErrors.notFound();
    await this.index.embedQuestion(req.workspaceId, req.appId, row);
    return toAnnotationRecord(row);
  }

  async delete(req: RequestOf<'wf.annotation.delete.v1'>): Promise<ResponseOf<'wf.annotation.delete.v1'>> {
    if (!isUuid(req.annotationId)) throw AnnotationErrors.malformedId();
    if (!(await this.annotations.delete(req.workspaceId, req.appId, req.annotationId))) throw AnnotationErrors.notFound();
    return { deleted: true };
  }

  /**
   * Stores a job that turns the app's reply on (with this model and threshold) or off, and starts it. While one of
   * the same action is unfinished, Dify answers that one as `processing` and starts nothing.
   */
  async reply(req: RequestOf<'wf.annotation.reply.v1'>): Promise<ResponseOf<'wf.annotation.reply.v1'>> {
    const action = replyActionOf(req.action);
    if (!action) throw AnnotationErrors.unsupportedAction();
    const running = await this.annotations.inFlight(req.workspaceId, req.appId, action);
    if (running) return { job_id: running.id, job_status: 'processing' };
    const id = randomUUID();
    const enable = action === 'enable';
    await this.annotations.insertJob({
      accountId: req.accountId,
      action,
      appId: req.appId,
      embeddingModel: enable ? req.embeddingModel : null,
      embeddingProvider: enable ? req.embeddingProvider : null,
      id,
      scoreThreshold: enable ? req.scoreThreshold : null,
      workspaceId: req.workspaceId,
    });
    this.index.kick(req.appId);
    return { job_id: id, job_status: 'waiting' };
  }

  async status(req: RequestOf<'wf.annotation.reply-status.v1'>): Promise<ResponseOf<'wf.annotation.reply-status.v1'>> {
    if (!isUuid(req.jobId)) throw AnnotationErrors.malformedId();
    const job = await this.annotations.findJob(req.workspaceId, req.appId, req.action, req.jobId);
    if (!job) throw AnnotationErrors.jobNotFound();
    return { error_msg: job.status === 'error' ? job.error : '', job_id: job.id, job_status: job.status };
  }

  /** The app's reply setting in `/v1/parameters`' shape: on with its model and threshold, or off. */
  async setting(req: RequestOf<'wf.annotation.setting.v1'>): Promise<ResponseOf<'wf.annotation.setting.v1'>> {
    const setting = await this.annotations.setting(req.workspaceId, req.appId);
    if (!setting) return { enabled: false };
    return {
      embedding_model: { embedding_model_name: setting.embeddingModel, embedding_provider_name: setting.embeddingProvider },
      enabled: true,
      score_threshold: setting.scoreThreshold,
    };
  }

  /**
   * The annotation that answers a chat query, if the app's reply is on and its nearest question is close enough;
   * its hit is counted. Never fails the turn: when the model does not answer in time, the workflow runs as Dify's does.
   */
  async match(workspaceId: string, appId: string, query: string): Promise<AnnotationReply | null> {
    try {
      const setting = await this.annotations.setting(workspaceId, appId);
      if (!setting) return null;
      const model = { model: setting.embeddingModel, provider: setting.embeddingProvider };
      const { modelKey, vectors } = await this.embeddings.embed(workspaceId, model, [query], MATCH_TIMEOUT_MS);
      if (modelKey !== setting.modelKey) return null;
      const nearest = await this.annotations.nearest(workspaceId, appId, modelKey, vectors[0]!);
      if (!nearest || !isCloseEnough(nearest.score, setting.scoreThreshold)) return null;
      await this.annotations.hit(workspaceId, nearest.id);
      return { accountId: nearest.accountId, annotationId: nearest.id, answer: nearest.answer };
    } catch (error) {
      this.logger.warn(`Annotation reply of app "${appId}" was skipped for a turn: ${(error as Error).message}`);
      return null;
    }
  }
}
