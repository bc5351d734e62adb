import { Injectable } from '@nestjs/common';
import type { AnnotationJobStatus } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import { containsPattern, type AnnotationReplyAction } from './annotation.util';

/** An annotation row (its embedding stays in the database). */
export interface AnnotationRow {
  accountId: string | null;
  answer: string;
  appId: string;
  createdAt: Date;
  hitCount: number;
  id: string;
  question: string;
  workspaceId: string;
}

/** An app's annotation reply setting: present while reply is on. */
export interface AnnotationSettingRow {
  appId: string;
  embeddingModel: string;
  embeddingProvider: string;
  /** The vector space the app's question embeddings are in (rag's key of the model). */
  modelKey: string;
  scoreThreshold: number;
  workspaceId: string;
}

/** A job enabling or disabling an app's annotation reply. */
export interface AnnotationJobRow {
  accountId: string | null;
  action: AnnotationReplyAction;
  appId: string;
  embeddingModel: string | null;
  embeddingProvider: string | null;
  error: string;
  id: string;
  scoreThreshold: number | null;
  status: AnnotationJobStatus;
  workspaceId: string;
}

/** The question closest to a query, and how close (cosine similarity). */
export interface NearestAnnotation {
  accountId: string | null;
  answer: string;
  id: string;
  score: number;
}

/** Finished jobs are kept this long for their status to be read, as Dify keeps its job keys. */
export const FINISHED_JOB_TTL_SECONDS = 600;

const UNFINISHED = `('waiting', 'processing')`;

function toAnnotation(r: Record<string, unknown>): AnnotationRow {
  return {
    accountId: (r['account_id'] as string | null) ?? null,
    answer: r['answer'] as string,
    appId: r['app_id'] as string,
    createdAt: new Date(r['created_at'] as string),
    hitCount: Number(r['hit_count'] ?? 0),
    id: r['id'] as string,
    question: r['question'] as string,
    workspaceId: r['workspace_id'] as string,
  };
}

function toSetting(r: Record<string, unknown>): AnnotationSettingRow {
  return {
    appId: r['app_id'] as string,
    embeddingModel: r['embedding_model'] as string,
    embeddingProvider: r['embedding_provider'] as string,
    modelKey: r['model_key'] as string,
    scoreThreshold: Number(r['score_threshold']),
    workspaceId: r['workspace_id'] as string,
  };
}

function toJob(r: Record<string, unknown>): AnnotationJobRow {
  return {
    accountId: (r['account_id'] as string | null) ?? null,
    action: r['action'] as AnnotationReplyAction,
    appId: r['app_id'] as string,
    embeddingModel: (r['embedding_model'] as string | null) ?? null,
    embeddingProvider: (r['embedding_provider'] as string | null) ?? null,
    error: (r['error'] as string | null) ?? '',
    id: r['id'] as string,
    scoreThreshold: r['score_threshold'] === null || r['score_threshold'] === undefined ? null : Number(r['score_threshold']),
    status: r['status'] as AnnotationJobStatus,
    workspaceId: r['workspace_id'] as string,
  };
}

const ANNOTATION_COLUMNS = `id, workspace_id, app_id, question, answer, hit_count, account_id, created_at`;

/**
 * Annotations, their embeddings, the apps' reply settings and the reply jobs. Every query of an app's data names
 * its workspace and app; only the sweeps that pick up abandoned work read across workspaces.
 */
@Injectable()
export class AnnotationRepository {
  constructor(private readonly db: DatabaseService) {}

  /** A page of an app's annotations, newest first, with how many there are in all (Dify's numbered page). */
  async page(
    workspaceId: string,
    appId: string,
    opts: { keyword: string; limit: number; page: number },
  ): Promise<{ rows: AnnotationRow[]; total: number }> {
    const params: unknown[] = [workspaceId, appId];
    let filter = '';
    if (opts.keyword) {
      params.push(containsPattern(opts.keyword));
      filter = ` AND (question ILIKE $3 ESCAPE '\\' OR answer ILIKE $3 ESCAPE '\\')`;
    }
    const where = `workspace_id = $1 AND app_id = $2${filter}`;
    const [rows, counted] = await Promise.all([
      this.db.rows(
        `SELECT ${ANNOTATION_COLUMNS} FROM orchestrator.message_annotations WHERE ${where}
         ORDER BY created_at DESC, id DESC LIMIT ${opts.limit} OFFSET ${(opts.page - 1) * opts.limit}`,
        params,
      ),
      this.db.rows<{ total: number }>(`SELECT count(*)::int AS total FROM orchestrator.message_annotations WHERE ${where}`, params),
    ]);
    return { rows: rows.map(toAnnotation), total: counted[0]?.total ?? 0 };
  }

  async create(a: Pick<AnnotationRow, 'accountId' | 'answer' | 'appId' | 'id' | 'question' | 'workspaceId'>): Promise<AnnotationRow> {
    const rows = await this.db.rows(
      `INSERT INTO orchestrator.message_annotations (id, workspace_id, app_id, question, answer, account_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ANNOTATION_COLUMNS}`,
      [a.id, a.workspaceId, a.appId, a.question, a.answer, a.accountId],
    );
    return toAnnotation(rows[0]!);
  }

  /** Changes an annotation; a changed question loses its embedding (it no longer says what was embedded). */
  async update(workspaceId: string, appId: string, id: string, question: string, answer: string): Promise<AnnotationRow | null> {
    const rows = await this.db.rows(
      `UPDATE orchestrator.message_annotations
       SET embedding = CASE WHEN question = $4 THEN embedding END, embedding_model = CASE WHEN question = $4 THEN embedding_model END,
         question = $4, answer = $5, updated_at = now()
       WHERE id = $3 AND workspace_id = $1 AND app_id = $2 RETURNING ${ANNOTATION_COLUMNS}`,
      [workspaceId, appId, id, question, answer],
    );
    return rows[0] ? toAnnotation(rows[0]) : null;
  }

  async delete(workspaceId: string, appId: string, id: string): Promise<boolean> {
    const rows = await this.db.rows(
      `DELETE FROM orchestrator.message_annotations WHERE id = $3 AND workspace_id = $1 AND app_id = $2 RETURNING id`,
      [workspaceId, appId, id],
    );
    return rows.length > 0;
  }

  /** Counts a reply an annotation gave. */
  async hit(workspaceId: string, id: string): Promise<void> {
    await this.db.rows(`UPDATE orchestrator.message_annotations SET hit_count = hit_count + 1 WHERE id = $1 AND workspace_id = $2`, [
      id,
      workspaceId,
    ]);
  }

  /** Up to `limit` of an app's annotations whose question has no embedding in `modelKey`'s space. */
  async unembedded(workspaceId: string, appId: string, modelKey: string, limit: number): Promise<{ id: string; question: string }[]> {
    return this.db.rows(
      `SELECT id, question FROM orchestrator.message_annotations
       WHERE workspace_id = $1 AND app_id = $2 AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $3)
       ORDER BY created_at, id LIMIT $4`,
      [workspaceId, appId, modelKey, limit],
    );
  }

  /** Stores question embeddings; one whose question changed meanwhile is left for the next pass. */
  async storeEmbeddings(
    workspaceId: string,
    appId: string,
    modelKey: string,
    entries: { id: string; question: string; vector: string }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.db.rows(
      `UPDATE orchestrator.message_annotations a SET embedding = e.vector::vector, embedding_model = $3
       FROM jsonb_to_recordset($4::jsonb) AS e(id uuid, question text, vector text)
       WHERE a.id = e.id AND a.question = e.question AND a.workspace_id = $1 AND a.app_id = $2`,
      [workspaceId, appId, modelKey, JSON.stringify(entries)],
    );
  }

  /** The app's question nearest to a query embedding in `modelKey`'s space, or null when none is embedded there. */
  async nearest(workspaceId: string, appId: string, modelKey: string, vector: string): Promise<NearestAnnotation | null> {
    // Only vectors of the query's model are compared (pgvector refuses vectors of another length).
    const rows = await this.db.rows<{ account_id: string | null; answer: string; id: string; score: number }>(
      `SELECT id, answer, account_id, 1 - (embedding <=> $4::vector) AS score FROM orchestrator.message_annotations
       WHERE workspace_id = $1 AND app_id = $2 AND embedding_model = $3 AND embedding IS NOT NULL
       ORDER BY embedding <=> $4::vector LIMIT 1`,
      [workspaceId, appId, modelKey, vector],
    );
    const r = rows[0];
    return r ? { accountId: r.account_id, answer: r.answer, id: r.id, score: Number(r.score) } : null;
  }

  async setting(workspaceId: string, appId: string): Promise<AnnotationSettingRow | null> {
    const rows = await this.db.rows(`SELECT * FROM orchestrator.annotation_settings WHERE app_id = $2 AND workspace_id = $1`, [
      workspaceId,
      appId,
    ]);
    return rows[0] ? toSetting(rows[0]) : null;
  }

  async saveSetting(setting: AnnotationSettingRow, accountId: string | null): Promise<void> {
    await this.db.rows(
      `INSERT INTO orchestrator.annotation_settings (app_id, workspace_id, score_threshold, embedding_provider, embedding_model, model_key, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (app_id) DO UPDATE SET score_threshold = excluded.score_threshold, embedding_provider = excluded.embedding_provider,
         embedding_model = excluded.embedding_model, model_key = excluded.model_key, updated_by = excluded.updated_by, updated_at = now()
       WHERE orchestrator.annotation_settings.workspace_id = excluded.workspace_id`,
      [
        setting.appId,
        setting.workspaceId,
        setting.scoreThreshold,
        setting.embeddingProvider,
        setting.embeddingModel,
        setting.modelKey,
        accountId,
      ],
    );
  }

  /** Turns reply off: the setting goes, and with it the question embeddings (as Dify drops the app's vector index). */
  async removeSetting(workspaceId: string, appId: string): Promise<void> {
    await this.db.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM orchestrator.annotation_settings WHERE app_id = $2 AND workspace_id = $1`, [workspaceId, appId]);
      await m.query(
        `UPDATE orchestrator.message_annotations SET embedding = NULL, embedding_model = NULL
         WHERE workspace_id = $1 AND app_id = $2 AND embedding IS NOT NULL`,
        [workspaceId, appId],
      );
    });
  }

  /** Up to `limit` apps, picked at random, whose reply is on with questions not yet embedded in its model (new, edited, or missed). */
  async settingsNeedingEmbeddings(limit: number): Promise<AnnotationSettingRow[]> {
    const rows = await this.db.rows(
      `SELECT s.* FROM orchestrator.annotation_settings s
       WHERE EXISTS (SELECT 1 FROM orchestrator.message_annotations a WHERE a.workspace_id = s.workspace_id AND a.app_id = s.app_id
         AND (a.embedding IS NULL OR a.embedding_model IS DISTINCT FROM s.model_key))
       ORDER BY random() LIMIT $1`,
      [limit],
    );
    return rows.map(toSetting);
  }

  async insertJob(job: Omit<AnnotationJobRow, 'error' | 'status'>): Promise<void> {
    await this.db.rows(
      `INSERT INTO orchestrator.annotation_jobs (id, workspace_id, app_id, action, status, score_threshold, embedding_provider, embedding_model, account_id)
       VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $7, $8)`,
      [job.id, job.workspaceId, job.appId, job.action, job.scoreThreshold, job.embeddingProvider, job.embeddingModel, job.accountId],
    );
  }

  /** The app's oldest unfinished job of this action, or null. */
  async inFlight(workspaceId: string, appId: string, action: AnnotationReplyAction): Promise<AnnotationJobRow | null> {
    const rows = await this.db.rows(
      `SELECT * FROM orchestrator.annotation_jobs WHERE app_id = $2 AND workspace_id = $1 AND action = $3 AND status IN ${UNFINISHED}
       ORDER BY created_at, id LIMIT 1`,
      [workspaceId, appId, action],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  async findJob(workspaceId: string, appId: string, action: string, id: string): Promise<AnnotationJobRow | null> {
    const rows = await this.db.rows(
      `SELECT * FROM orchestrator.annotation_jobs WHERE id = $3 AND app_id = $2 AND workspace_id = $1 AND action = $4`,
      [workspaceId, appId, id, action],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /**
   * Takes the next job to run under a lease: a waiting one, or one whose runner stopped renewing its lease; one app's
   * jobs run one at a time, oldest first, so an enable and a disable asked in turn end in the order asked. `appId`
   * narrows it to one app (null: any app, for the sweep).
   */
  async claimNext(owner: string, leaseMs: number, appId: string | null): Promise<AnnotationJobRow | null> {
    const rows = await this.db.rows(
      `UPDATE orchestrator.annotation_jobs j SET status = 'processing', lease_owner = $1, lease_expires_at = now() + ($2 || ' milliseconds')::interval
       WHERE j.id = (
         SELECT c.id FROM orchestrator.annotation_jobs c
         WHERE c.status IN ${UNFINISHED} AND (c.lease_expires_at IS NULL OR c.lease_expires_at < now()) AND ($3::uuid IS NULL OR c.app_id = $3)
           AND NOT EXISTS (SELECT 1 FROM orchestrator.annotation_jobs o
             WHERE o.app_id = c.app_id AND o.status IN ${UNFINISHED} AND (o.created_at, o.id) < (c.created_at, c.id))
         ORDER BY c.created_at, c.id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING j.*`,
      [owner, String(leaseMs), appId],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  async renewJob(id: string, owner: string, leaseMs: number): Promise<void> {
    await this.db.rows(
      `UPDATE orchestrator.annotation_jobs SET lease_expires_at = now() + ($3 || ' milliseconds')::interval
       WHERE id = $1 AND lease_owner = $2 AND status = 'processing'`,
      [id, owner, String(leaseMs)],
    );
  }

  async finishJob(id: string, owner: string, status: 'completed' | 'error', error: string): Promise<void> {
    await this.db.rows(
      `UPDATE orchestrator.annotation_jobs SET status = $3, error = $4, finished_at = now(), lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 AND status = 'processing'`,
      [id, owner, status, error],
    );
  }

  /** Forgets jobs finished longer ago than their status is kept. */
  async deleteFinishedJobs(): Promise<void> {
    await this.db.rows(
      `DELETE FROM orchestrator.annotation_jobs WHERE finished_at < now() - ($1 || ' seconds')::interval AND status NOT IN ${UNFINISHED}`,
      [String(FINISHED_JOB_TTL_SECONDS)],
    );
  }
}
