import { z } from 'zod';
import { dataList, epochSeconds, numberedPage } from '../docs/common.dto';
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
export const ImportProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  node_id: z.string().optional(),
  path: z.string().optional(),
});

/**
 * Dify's import answer; `problems` is Weft's addition: every problem with its code, for tools (the errors when
 * `failed`, the warnings, such as references that resolve to nothing, when `completed-with-warnings`).
 */
export const ImportResponseSchema = z.object({
  app_id: z.string().uuid().nullable(),
  app_mode: z.string().nullable(),
  current_dsl_version: z.string(),
  error: z.string(),
  id: z.string().uuid(),
  imported_dsl_version: z.string(),
  problems: z.array(ImportProblemSchema),
  status: z.enum(['completed', 'completed-with-warnings', 'failed']),
});
export type ImportResponse = z.infer<typeof ImportResponseSchema>;

/** `PUT /console/api/workspaces/current/model-providers/{provider}`. */
export const ProviderCredentialsSchema = z.object({ credentials: z.record(z.string(), z.string().max(10_000)) });

/** An app as the console lists it. */
export const AppResponseSchema = z.object({
  created_at: epochSeconds,
  description: z.string(),
  enable_api: z.boolean(),
  icon: z.string(),
  icon_background: z.string(),
  icon_type: z.string(),
  id: z.string().uuid(),
  mode: z.string(),
  name: z.string(),
  use_icon_as_answer_icon: z.boolean(),
});
export type AppResponse = z.infer<typeof AppResponseSchema>;
export const AppPageSchema = numberedPage(AppResponseSchema);
export type AppPage = z.infer<typeof AppPageSchema>;

/** `GET /console/api/apps`: the page asked for (bad values fall back to the first page of 20, as in Dify). */
export const AppListQuerySchema = z.object({
  limit: z
    .string()
    .max(20)
    .optional()
    .transform((v) => Math.min(100, Math.max(1, Number(v ?? 20) || 20))),
  page: z
    .string()
    .max(20)
    .optional()
    .transform((v) => Math.max(1, Number(v ?? 1) || 1)),
});

/** `GET /console/api/apps/{id}/export`: the DSL as YAML text. */
export const ExportResponseSchema = z.object({ data: z.string() });

/** `POST /console/api/apps/{id}/workflows/publish`. */
export const PublishAnswerSchema = z.object({
  created_at: epochSeconds,
  result: z.literal('success'),
  version: z.string(),
  workflow_id: z.string().uuid(),
});
export type PublishAnswer = z.infer<typeof PublishAnswerSchema>;

/** A key in a list: never the token, only its hint. */
export const ApiKeyResponseSchema = z.object({
  created_at: epochSeconds,
  id: z.string().uuid(),
  last_used_at: epochSeconds.nullable(),
  token: z.string(),
  type: z.string(),
});
export type ApiKeyResponse = z.infer<typeof ApiKeyResponseSchema>;
export const ApiKeyListSchema = dataList(ApiKeyResponseSchema);
/** A key just created: the only answer that carries the whole token. */
export const CreatedApiKeySchema = ApiKeyResponseSchema.extend({ last_used_at: z.null() });

export function toAppResponse(app: AppRow): AppResponse {
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

export function toApiKeyResponse(key: ApiKeyRow): ApiKeyResponse {
  return {
    created_at: Math.floor(key.createdAt.getTime() / 1000),
    id: key.id,
    last_used_at: key.lastUsedAt ? Math.floor(key.lastUsedAt.getTime() / 1000) : null,
    token: key.tokenHint,
    type: key.type,
  };
}
