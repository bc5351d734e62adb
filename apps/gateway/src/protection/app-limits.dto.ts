import { z } from 'zod';
import type { AppLimits } from './app-limits.service';

/** `PUT /console/api/apps/{app_id}/rate-limit`: both settings, null for the configured default. */
export const AppLimitsRequestSchema = z
  .object({
    max_active_requests: z.number().int().min(0).max(100_000).nullable(),
    requests_per_minute: z.number().int().min(1).max(1_000_000).nullable(),
  })
  .strict();

/** An app's request limits: its own settings (null: the configured default) and the limits in force. */
export const AppLimitsResponseSchema = z.object({
  app_id: z.string().uuid(),
  /** Runs in progress at once in force (0: no limit). */
  effective_max_active_requests: z.number().int(),
  /** Requests per minute per API key in force (0: no limit). */
  effective_requests_per_minute: z.number().int(),
  max_active_requests: z.number().int().nullable(),
  requests_per_minute: z.number().int().nullable(),
});
export type AppLimitsResponse = z.infer<typeof AppLimitsResponseSchema>;

export function toAppLimitsResponse(appId: string, limits: AppLimits): AppLimitsResponse {
  return {
    app_id: appId,
    effective_max_active_requests: limits.effectiveMaxActive,
    effective_requests_per_minute: limits.effectiveRatePerMinute,
    max_active_requests: limits.settings.maxActiveRequests,
    requests_per_minute: limits.settings.rateLimitPerMinute,
  };
}
