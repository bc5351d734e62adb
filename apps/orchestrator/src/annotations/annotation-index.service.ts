import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DatabaseService, tryWithAdvisoryLock } from '@weft/persistence';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@weft/platform';
import { AnnotationEmbeddingRepository, type EmbeddingModelName } from './annotation-embedding.repository';
import { AnnotationRepository, type AnnotationJobRow } from './annotation.repository';

/** How long a job's runner holds it without renewing; past that, another orchestrator takes it over. */
const JOB_LEASE_MS = 30_000;
/** How often each orchestrator looks for abandoned jobs, questions left unembedded and finished jobs to forget. */
const SWEEP_MS = 15_000;
/** Questions read and embedded per step of an indexing pass. */
const PAGE = 256;
/** Apps whose missing embeddings one sweep fills. */
const APPS_PER_SWEEP = 10;
/** How long writing an annotation waits for its question's embedding (the caller is waiting; the sweep is not). */
const WRITE_EMBED_TIMEOUT_MS = 2_000;

/**
 * Runs the jobs that enable or disable annotation reply, and keeps an enabled app's question embeddings complete.
 * A job is stored before it is announced and runs under a lease, on the orchestrator that accepted it and, if that
 * one dies, on whichever sweeps it up once the lease expires. Enabling embeds every question with the chosen model
 * and then stores the setting, so reply starts only with a complete index; disabling removes the setting (reply
 * stops at once) and the embeddings. A question added or edited while reply is on is embedded at once when the
 * model answers, else by the next sweep.
 */
@Injectable()
export class AnnotationIndexService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AnnotationIndexService.name);
  private timer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly db: DatabaseService,
    private readonly annotations: AnnotationRepository,
    private readonly embeddings: AnnotationEmbeddingRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs the app's waiting jobs now, in the background (the job rows are stored already). */
  kick(appId: string): void {
    void this.drain(appId).catch((error: unknown) =>
      this.logger.warn(`Annotation reply jobs of app "${appId}" were left to the sweep: ${(error as Error).message}`),
    );
  }

  /** Embeds one new or edited question if its app's reply is on; a failure leaves it to the sweep. */
  async embedQuestion(workspaceId: string, appId: string, annotation: { id: string; question: string }): Promise<void> {
    try {
      const setting = await this.annotations.setting(workspaceId, appId);
      if (!setting) return;
      const model = { model: setting.embeddingModel, provider: setting.embeddingProvider };
      const { modelKey, vectors } = await this.embeddings.embed(workspaceId, model, [annotation.question], WRITE_EMBED_TIMEOUT_MS);
      await this.annotations.storeEmbeddings(workspaceId, appId, modelKey, [{ ...annotation, vector: vectors[0]! }]);
    } catch (error) {
      this.logger.warn(`Annotation "${annotation.id}" was not embedded now; the sweep will: ${(error as Error).message}`);
    }
  }

  private async drain(appId: string | null): Promise<void> {
    while (!this.closing) {
      const job = await this.annotations.claimNext(this.identity.instanceId, JOB_LEASE_MS, appId);
      if (!job) return;
      await this.run(job);
    }
  }

  private async run(job: AnnotationJobRow): Promise<void> {
    const owner = this.identity.instanceId;
    try {
      if (job.action === 'enable') await this.enable(job);
      else await this.annotations.removeSetting(job.workspaceId, job.appId);
      await this.annotations.finishJob(job.id, owner, 'completed', '');
      this.logger.log(`Annotation reply of app "${job.appId}": ${job.action} job "${job.id}" completed`);
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`Annotation reply of app "${job.appId}": ${job.action} job "${job.id}" failed: ${message}`);
      await this.annotations.finishJob(job.id, owner, 'error', message);
    }
  }

  private async enable(job: AnnotationJobRow): Promise<void> {
    const model = { model: job.embeddingModel ?? '', provider: job.embeddingProvider ?? '' };
    const modelKey = await this.embeddings.modelKey(job.workspaceId, model);
    const renew = () => this.annotations.renewJob(job.id, this.identity.instanceId, JOB_LEASE_MS);
    await this.embedMissing(job.workspaceId, job.appId, model, modelKey, renew);
    await this.annotations.saveSetting(
      {
        appId: job.appId,
        embeddingModel: model.model,
        embeddingProvider: model.provider,
        modelKey,
        scoreThreshold: job.scoreThreshold ?? 1,
        workspaceId: job.workspaceId,
      },
      job.accountId,
    );
    // Questions added while the index was built found reply still off and were not embedded then.
    await this.embedMissing(job.workspaceId, job.appId, model, modelKey, renew);
  }

  /** Embeds, a page at a time, the app's questions that have no embedding in `modelKey`'s space. */
  private async embedMissing(
    workspaceId: string,
    appId: string,
    model: EmbeddingModelName,
    modelKey: string,
    progress: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const attempted = new Set<string>();
    while (!this.closing) {
      // A question edited while it was embedded comes back once more; one that keeps coming back waits for the next pass.
      const rows = (await this.annotations.unembedded(workspaceId, appId, modelKey, PAGE)).filter(
        (r) => !attempted.has(`${r.id}:${r.question}`),
      );
      if (rows.length === 0) return;
      const { modelKey: answeredKey, vectors } = await this.embeddings.embed(
        workspaceId,
        model,
        rows.map((r) => r.question),
      );
      if (answeredKey !== modelKey) throw new Error(`The embedding model changed while indexing (${modelKey} became ${answeredKey})`);
      await this.annotations.storeEmbeddings(
        workspaceId,
        appId,
        modelKey,
        rows.map((r, i) => ({ id: r.id, question: r.question, vector: vectors[i]! })),
      );
      for (const r of rows) attempted.add(`${r.id}:${r.question}`);
      await progress();
    }
  }

  /** Takes over abandoned jobs, fills in missing embeddings of apps whose reply is on, forgets old finished jobs. */
  private async sweep(): Promise<void> {
    if (this.closing || !this.db.isAvailable()) return;
    try {
      await this.drain(null);
      await this.annotations.deleteFinishedJobs();
      for (const setting of await this.annotations.settingsNeedingEmbeddings(APPS_PER_SWEEP)) {
        const model = { model: setting.embeddingModel, provider: setting.embeddingProvider };
        try {
          // One orchestrator at a time per app: the others would only embed the same questions again.
          await tryWithAdvisoryLock(this.db.dataSource, `annotation-index:${setting.appId}`, () =>
            this.embedMissing(setting.workspaceId, setting.appId, model, setting.modelKey),
          );
        } catch (error) {
          this.logger.warn(
            `Annotation questions of app "${setting.appId}" stay unembedded until the next sweep: ${(error as Error).message}`,
          );
        }
      }
    } catch (error) {
      this.logger.warn(`Annotation sweep did not finish: ${(error as Error).message}`);
    }
  }
}
