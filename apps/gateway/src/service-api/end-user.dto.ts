import { z } from 'zod';
import type { EndUserRow } from '../apps/app.repository';

/** `GET /v1/end-users/{id}`: Dify's `EndUserDetail` (timestamps in ISO 8601, to the second, in UTC). */
export const EndUserDetailSchema = z.object({
  app_id: z.string().uuid().nullable(),
  created_at: z.string(),
  external_user_id: z.string().nullable(),
  id: z.string().uuid(),
  is_anonymous: z.boolean(),
  name: z.string().nullable(),
  session_id: z.string(),
  tenant_id: z.string().uuid(),
  type: z.string(),
  updated_at: z.string(),
});
export type EndUserDetail = z.infer<typeof EndUserDetailSchema>;

/** Dify's datetime format of these records: `2024-01-16T12:00:29Z`. */
export function isoSeconds(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/**
 * An end user as Dify answers it. Service API end users are named by the caller's `user` string, which is
 * both their session id and their external id; Weft keeps no name and never changes an end user, so
 * `updated_at` is when it was first seen.
 */
export function toEndUserDetail(row: EndUserRow): EndUserDetail {
  return {
    app_id: row.appId,
    created_at: isoSeconds(row.createdAt),
    external_user_id: row.sessionId,
    id: row.id,
    is_anonymous: false,
    name: null,
    session_id: row.sessionId,
    tenant_id: row.workspaceId,
    type: row.type,
    updated_at: isoSeconds(row.createdAt),
  };
}
