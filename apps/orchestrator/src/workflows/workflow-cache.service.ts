import { Inject, Injectable } from '@nestjs/common';
import { isUuid, WorkflowErrors } from '@weft/contracts';
import type { SecretBox } from '@weft/security';
import { readDocument, type ParsedApp } from '@weft/workflow';
import { EndStream } from '../runs/end-stream.util';
import { openSecrets, secretsOf } from './secret-environment.util';
import { WorkflowRepository } from './workflow.repository';

/** A workflow version ready to run: parsed once, with what every run of it needs precomputed. */
export interface LoadedWorkflow {
  app: ParsedApp;
  /** Declared types of conversation and loop variables, keyed `nodeId.name`, for the assigner. */
  declaredTypes: Map<string, string>;
  environment: Record<string, unknown>;
  id: string;
  /** The version's secret values (secret environment variables, keys typed into nodes), masked in everything a run records. */
  secrets: string[];
  /** Whether some end output is an LLM's text, which runs stream as `text_chunk` (see EndStream). */
  streamsText: boolean;
  version: string;
}

/** Seals secret environment values at rest (provided by the module, keyed from SECRET_KEY). */
export const SECRETS_BOX = Symbol('SECRETS_BOX');

const PARSED_CACHE_SIZE = 500;
/** How long "the latest published version" of an app is trusted before asking Postgres again. */
const LATEST_TTL_MS = 1000;

/**
 * Published versions never change, so each is parsed once and kept (bounded, least recently used
 * dropped); which version is the latest published one is re-read at most once a second per app.
 */
@Injectable()
export class WorkflowCache {
  private readonly parsed = new Map<string, LoadedWorkflow>();
  private readonly latest = new Map<string, { expires: number; workflow: LoadedWorkflow | null }>();

  constructor(
    private readonly workflows: WorkflowRepository,
    @Inject(SECRETS_BOX) private readonly box: SecretBox,
  ) {}

  /** `version` is "published", "draft" or a workflow id; null when there is no such version. */
  async load(workspaceId: string, appId: string, version: string): Promise<LoadedWorkflow | null> {
    if (version === 'published') {
      const key = `${workspaceId}:${appId}`;
      const hit = this.latest.get(key);
      if (hit && hit.expires > Date.now()) return hit.workflow;
      const record = await this.workflows.find(workspaceId, appId, 'published');
      const workflow = record
        ? this.remember(workspaceId, appId, record.id, record.version, openSecrets(record.document, this.box, { appId, workspaceId }))
        : null;
      this.latest.set(key, { expires: Date.now() + LATEST_TTL_MS, workflow });
      return workflow;
    }
    // Keyed by workspace and app too: a version id of another app (or workspace) must not be served from here.
    const cacheKey = `${workspaceId}:${appId}:${version}`;
    const cached = version !== 'draft' ? this.parsed.get(cacheKey) : undefined;
    if (cached) {
      this.parsed.delete(cacheKey);
      this.parsed.set(cacheKey, cached);
      return cached;
    }
    if (version !== 'draft' && !isUuid(version)) return null;
    const record = await this.workflows.find(workspaceId, appId, version);
    if (!record) return null;
    return record.version === 'draft'
      ? build(record.id, record.version, openSecrets(record.document, this.box, { appId, workspaceId }))
      : this.remember(workspaceId, appId, record.id, record.version, openSecrets(record.document, this.box, { appId, workspaceId }));
  }

  /** Forgets which version is the latest for an app (after a publish on this instance). */
  invalidate(workspaceId: string, appId: string): void {
    this.latest.delete(`${workspaceId}:${appId}`);
  }

  private remember(workspaceId: string, appId: string, id: string, version: string, document: Record<string, unknown>): LoadedWorkflow {
    const key = `${workspaceId}:${appId}:${id}`;
    const existing = this.parsed.get(key);
    if (existing) return existing;
    const loaded = build(id, version, document);
    if (this.parsed.size >= PARSED_CACHE_SIZE) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(key, loaded);
    return loaded;
  }
}

function build(id: string, version: string, document: Record<string, unknown>): LoadedWorkflow {
  const result = readDocument(document);
  if (!result.ok || !result.app.graph) {
    // Documents are validated before they are stored, so this means the stored data was altered.
    throw WorkflowErrors.storedVersionInvalid(id);
  }
  const app = result.app;
  const declaredTypes = declaredVariableTypes(app);
  const environment = Object.fromEntries(app.environmentVariables.map((v) => [v.name, v.value]));
  const probe = new EndStream(app.graph!);
  const streamsText = Object.values(app.graph!.nodes).some((n) => n.type === 'llm' && probe.streams(n.id));
  return { app, declaredTypes, environment, id, secrets: secretsOf(document), streamsText, version };
}

/** Declared types of the variables an assigner may write: conversation variables and loop variables. */
export function declaredVariableTypes(app: ParsedApp): Map<string, string> {
  const declaredTypes = new Map<string, string>();
  for (const v of app.conversationVariables) declaredTypes.set(`conversation.${v.name}`, v.value_type);
  for (const node of Object.values(app.graph?.nodes ?? {})) {
    if (node.type !== 'loop') continue;
    for (const v of (node.data['loop_variables'] as { label: string; var_type?: string }[] | undefined) ?? []) {
      if (v.var_type) declaredTypes.set(`${node.id}.${v.label}`, v.var_type);
    }
  }
  return declaredTypes;
}
