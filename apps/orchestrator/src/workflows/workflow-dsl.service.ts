import { Inject, Injectable } from '@nestjs/common';
import { type RequestOf, type ResponseOf, WorkflowErrors } from '@weft/contracts';
import type { SecretBox } from '@weft/security';
import {
  classicAppWorkflow,
  CURRENT_DSL_VERSION,
  exportDsl,
  parseDsl,
  readDocument,
  WORKFLOW_APP_MODES,
  type ClassicAppMode,
  type DslProblem,
} from '@weft/workflow';
import { blankSecrets, sealSecrets } from './secret-environment.util';
import { SECRETS_BOX, WorkflowCache } from './workflow-cache.service';
import { WorkflowRepository } from './workflow.repository';

/**
 * Apps as Dify DSL, in and out. The orchestrator is the one service that reads DSL: an import is parsed
 * and checked here (every problem listed, nothing stored while any is an error; reference problems are
 * warnings, as Dify imports such graphs and resolves them to empty values at run time) and stored as the
 * app's draft; an export writes the draft back with every secret blanked.
 */
@Injectable()
export class WorkflowDslService {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly cache: WorkflowCache,
    @Inject(SECRETS_BOX) private readonly box: SecretBox,
  ) {}

  async import(req: RequestOf<'wf.workflow.import.v1'>): Promise<ResponseOf<'wf.workflow.import.v1'>> {
    const parsed = parseDsl(req.yaml);
    if (!parsed.ok) return { app: null, problems: parsed.errors.map(problem), warnings: [] };
    const app = parsed.app;
    const section = {
      description: app.description,
      icon: app.icon,
      iconBackground: app.iconBackground,
      iconType: app.iconType,
      mode: app.mode,
      modelConfig: null as Record<string, unknown> | null,
      name: app.name,
      useIconAsAnswerIcon: app.useIconAsAnswerIcon,
      version: app.version,
    };
    const classic = !(WORKFLOW_APP_MODES as readonly string[]).includes(app.mode);
    // A classic app runs as the chatflow its model config converts to; the config itself is kept for export.
    const converted = classic ? classicAppWorkflow(app.mode as ClassicAppMode, app.name, app.modelConfig ?? {}) : null;
    const document = converted ? converted.document : app.raw;
    // What the converted chatflow's own check warns about (an agent tool Weft cannot provide, ...).
    const convertedWarnings: string[] = [];
    if (converted) {
      section.modelConfig = app.modelConfig ?? {};
      const check = readDocument(document);
      if (!check.ok)
        return {
          app: section,
          problems: check.errors.map((e) => ({ ...problem(e), message: `model_config: ${e.message}` })),
          warnings: [],
        };
      convertedWarnings.push(...check.warnings);
    }
    await this.workflows.saveDraft(req.workspaceId, req.appId, sealSecrets(document, this.box, req), req.accountId);
    // Classic apps have no publish step in Dify: their config is live as soon as it is saved.
    if (classic) {
      await this.workflows.publish(req.workspaceId, req.appId, req.accountId);
      this.cache.invalidate(req.workspaceId, req.appId);
    }
    return {
      app: section,
      problems: [],
      warningProblems: parsed.problems.map(problem),
      warnings: [...parsed.warnings, ...(converted?.warnings ?? []), ...convertedWarnings],
    };
  }

  /**
   * The app as Dify DSL YAML. Secrets are always blanked (secret environment values, API keys in
   * http-request nodes, key-like fields of a classic app's model config): Dify returns secret values for
   * `include_secret=true`, but Weft never returns a stored secret through an API (docs/operations.md).
   */
  async export(req: RequestOf<'wf.workflow.export.v1'>): Promise<ResponseOf<'wf.workflow.export.v1'>> {
    const meta = {
      description: req.app.description,
      icon: req.app.icon,
      iconBackground: req.app.iconBackground,
      name: req.app.name,
      useIconAsAnswerIcon: req.app.useIconAsAnswerIcon,
    };
    if (req.modelConfig) {
      const classic = readDocument({
        app: { mode: req.app.mode, name: req.app.name },
        kind: 'app',
        model_config: blankKeyFields(req.modelConfig),
        version: CURRENT_DSL_VERSION,
      });
      if (!classic.ok) throw WorkflowErrors.storedModelConfigInvalid(req.appId);
      return { yaml: exportDsl({ ...classic.app, ...meta }) };
    }
    const draft = await this.workflows.find(req.workspaceId, req.appId, 'draft');
    if (!draft) throw WorkflowErrors.notFound();
    const parsed = readDocument(blankSecrets(draft.document));
    if (!parsed.ok) throw WorkflowErrors.storedDraftInvalid(req.appId);
    return { yaml: exportDsl({ ...parsed.app, ...meta }, { includeSecrets: false }) };
  }
}

function problem(e: DslProblem): { code: string; message: string; nodeId?: string; path?: string } {
  return { code: e.code, message: e.message, nodeId: e.nodeId, path: e.path };
}

const KEY_FIELD = /^(.*_)?(api_key|apikey|secret|secret_key|password|credentials|access_token)$/i;

/** A copy with the values of key-like fields (`api_key`, `*_secret`, `credentials`…) blanked, at any depth. */
export function blankKeyFields<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => blankKeyFields(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      KEY_FIELD.test(k) && v !== null && v !== '' ? (typeof v === 'string' ? '' : null) : blankKeyFields(v),
    ]),
  ) as T;
}
