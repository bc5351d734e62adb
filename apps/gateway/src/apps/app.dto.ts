import { z } from 'zod';
import type { ApiKeyRow, AppRow } from './app.repository';

/** `POST /console/api/apps/imports`. */
export const ImportRequestSchema = z.object({
  description: z.string().max(2000).optional(),
  icon: z.string().max(200).optional(),
  icon_background: z.string().max(50).optional(),
  icon_type: z.string().max(20).optional(),
  mode: z.enum(['yaml-content', 'yaml-url']),
  name: z.string().trim().min(1).max(200).optional(),
  yaml_content: z.string().optional(),
  yaml_url: z.string().optional(),
});

/** A DSL problem as the import answers it. */
export interface ImportProblem {
  code: string;
  message: string;
  node_id?: string;
  path?: string;
}

/** Dify's import answer; `problems` is Weft's addition: every problem with its code, for tools. */
export interface ImportResponse {
  app_id: string | null;
  app_mode: string | null;
  current_dsl_version: string;
  error: string;
  id: string;
  imported_dsl_version: string;
  problems: ImportProblem[];
  status: 'completed' | 'completed-with-warnings' | 'failed';
}

/** `PUT /console/api/workspaces/current/model-providers/{provider}`. */
export const ProviderCredentialsSchema = z.object({ credentials: z.record(z.string(), z.string().max(10_000)) });

/** An app as the console lists it. */
export function toAppResponse(app: AppRow): Record<string, unknown> {
  return {
    created_at: Math.floor(app.createdAt.getTime() / 1000),
    description: app.description,
    enable_api: app.enableApi,
    icon: app.icon,
    icon_background: app.iconBackground,
    icon_type: app.iconType,
    id: app.id,
    mode: app.mode,
    name: app.name,
    use_icon_as_answer_icon: app.useIconAsAnswerIcon,
  };
}

/** A key in a list: never the token, only its hint. */
export function toApiKeyResponse(key: ApiKeyRow): Record<string, unknown> {
  return {
    created_at: Math.floor(key.createdAt.getTime() / 1000),
    id: key.id,
    last_used_at: key.lastUsedAt ? Math.floor(key.lastUsedAt.getTime() / 1000) : null,
    token: key.tokenHint,
    type: key.type,
  };
}
