import { DataExportSchema, ErasureStatusSchema } from '@weft/contracts';
import { z } from 'zod';
import type { AuditedOptions } from '../audit/audit.interceptor';
import { field } from '../audit/audit.interceptor';

/** `POST /console/api/account/erase`: the current password proves it is the account's owner asking. */
export const EraseAccountRequestSchema = z
  .object({
    delete_documents: z.boolean().default(false),
    password: z.string().min(1).max(256),
  })
  .strict();

/** `POST …/end-users/erase`: the Service API's `user` string. */
export const EraseEndUserRequestSchema = z.object({ user: z.string().min(1).max(255) }).strict();

/** `POST /console/api/workspaces/current/legal-holds`: on the whole workspace, or on one member's account. */
export const LegalHoldRequestSchema = z
  .object({
    account_id: z.string().uuid().optional(),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();

/** The token of a link that is its own credential: an export's download link, an account erasure's status link. */
export const TokenQuerySchema = z.object({ token: z.string().min(1).max(200) });

/** An export job, with the link to poll it. */
export const ExportStatusResponseSchema = DataExportSchema.extend({ status_url: z.string() });
export type ExportStatusResponse = z.infer<typeof ExportStatusResponseSchema>;

/** `POST /console/api/account/data-export`: the job, and its one download link (its token is shown this once). */
export const StartedExportSchema = ExportStatusResponseSchema.extend({ download_url: z.string() });
export type StartedExport = z.infer<typeof StartedExportSchema>;

/** A started erasure, with the link to poll it (for an account's own erasure, the link carries its token, shown this once). */
export const StartedErasureSchema = ErasureStatusSchema.extend({ status_url: z.string() });
export type StartedErasure = z.infer<typeof StartedErasureSchema>;

/** The audited privacy routes. Details carry ids only; reasons and `user` strings are not copied into the trail. */
export const PRIVACY_AUDITED = {
  endUserErasureRequested: {
    action: 'privacy.erasure.requested',
    details: (c) => ({ app_id: c.params['appId'] ?? null, subject_type: 'end_user' }),
    id: (c) => field(c.result, 'id'),
    resource: 'erasure_request',
  },
  accountErasureRequested: {
    action: 'privacy.erasure.requested',
    details: (c) => ({ delete_documents: c.body['delete_documents'] === true, subject_type: 'account' }),
    id: (c) => field(c.result, 'id'),
    resource: 'erasure_request',
  },
  exportRequested: { action: 'privacy.export.requested', id: (c) => field(c.result, 'id'), resource: 'data_export' },
  legalHoldPlaced: {
    action: 'legal_hold.placed',
    details: (c) => ({ account_id: field(c.result, 'account_id') }),
    id: (c) => field(c.result, 'id'),
    resource: 'legal_hold',
  },
  legalHoldReleased: { action: 'legal_hold.released', id: 'holdId', resource: 'legal_hold' },
} satisfies Record<string, AuditedOptions>;
