import { z } from 'zod';

const json = z.record(z.string(), z.unknown());
const uuid = z.string().uuid();
const time = z.string().datetime();

/**
 * Whose data a GDPR request is about: a console account (by id), or an end user of the Service API, named
 * by the `user` string the app's callers send, in one workspace and optionally one app of it.
 */
export const PrivacySubjectSchema = z.discriminatedUnion('type', [
  z.object({ accountId: uuid, type: z.literal('account') }),
  z.object({ appId: uuid.nullable(), type: z.literal('end_user'), user: z.string().min(1).max(255), workspaceId: uuid }),
]);
export type PrivacySubject = z.infer<typeof PrivacySubjectSchema>;

/** The end users (one per app) that an end-user subject's `user` string names: the gateway owns end users. */
export const FindEndUsersRequestSchema = z.object({ appId: uuid.nullable(), user: z.string().min(1).max(255), workspaceId: uuid });
export const FindEndUsersResponseSchema = z.object({ endUserIds: z.array(uuid) });

/** The services that hold personal data, in the order an account's erasure visits them. */
export const PRIVACY_SERVICES = ['gateway', 'orchestrator', 'rag', 'compliance'] as const;
export type PrivacyService = (typeof PRIVACY_SERVICES)[number];

// ---- export -------------------------------------------------------------------------------------------

/**
 * `privacy.export.<service>.v1`: one page of what a service holds about an account, in the workspaces it
 * belongs to. The service walks its sections in a fixed order; `cursor` (opaque, null at first) says where
 * the previous page ended. Pages are cut by size, so no answer comes near the NATS payload limit.
 */
export const ExportPageRequestSchema = z.object({
  accountId: uuid,
  cursor: z.string().max(500).nullable(),
  workspaceIds: z.array(uuid).max(1000),
});
export type ExportPageRequest = z.infer<typeof ExportPageRequestSchema>;

export const ExportPageResponseSchema = z.object({
  next_cursor: z.string().max(500).nullable(),
  records: z.array(z.object({ data: json, section: z.string().min(1).max(100) })),
});
export type ExportPageResponse = z.infer<typeof ExportPageResponseSchema>;

export const EXPORT_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;

/** An export job as its requester sees it. */
export const DataExportSchema = z.object({
  created_at: time,
  downloaded_at: time.nullable(),
  error: z.string().nullable(),
  expires_at: time.nullable(),
  finished_at: time.nullable(),
  id: uuid,
  size: z.number().int().nullable(),
  started_at: time.nullable(),
  status: z.enum(EXPORT_STATUSES),
});
export type DataExport = z.infer<typeof DataExportSchema>;

/** `privacy.export.start.v1`: queue an export of everything held about the account. */
export const StartExportRequestSchema = z.object({ accountId: uuid, workspaceIds: z.array(uuid).max(1000) });
/** The job, and the download token: shown this once, only its hash is kept. */
export const StartExportResponseSchema = DataExportSchema.extend({ download_token: z.string() });
export type StartExportResponse = z.infer<typeof StartExportResponseSchema>;

/** `privacy.export.status.v1`: the requester's own job. */
export const ExportStatusRequestSchema = z.object({ accountId: uuid, id: z.string().max(100) });

/** The secret-box purpose an export archive's own key is sealed under (the compliance service seals, the gateway opens). */
export const DATA_EXPORT_KEY_PURPOSE = 'data-export';

/**
 * What an archive's sealed key is bound to (`data-export|<export id>|<account id>`): it opens for no other export
 * or account. Ids in Postgres's form (lower case), however the link spelled them.
 */
export function dataExportKeyBinding(exportId: string, accountId: string): readonly [string, string] {
  return [exportId.toLowerCase(), accountId.toLowerCase()];
}

/** `privacy.export.claim.v1`: spends the one download; answers where the sealed archive lies and its sealed key. */
export const ClaimExportRequestSchema = z.object({ id: z.string().max(100), token: z.string().max(200) });
export const ClaimExportResponseSchema = z.object({
  account_id: uuid,
  file_name: z.string(),
  sealed_key: z.string(),
  size: z.number().int(),
  storage_key: z.string(),
  workspace_id: uuid.nullable(),
});
export type ClaimExportResponse = z.infer<typeof ClaimExportResponseSchema>;

// ---- erasure ------------------------------------------------------------------------------------------

/**
 * `privacy.erase.<service>.v1`: one saga step. Each step is idempotent: sent again after a crash or a
 * lost answer, it finds nothing left to do and answers with zero counts.
 */
export const EraseStepRequestSchema = z.object({
  /** Workspaces the account alone belonged to (as owner): erased whole. */
  deleteWorkspaceIds: z.array(uuid).max(1000),
  /** Whether the account's documents in other workspaces go too (documents are otherwise the workspace's). */
  deleteDocuments: z.boolean(),
  requestId: uuid,
  subject: PrivacySubjectSchema,
  /** Every workspace the account belonged to when erasure was requested. */
  workspaceIds: z.array(uuid).max(1000),
});
export type EraseStepRequest = z.infer<typeof EraseStepRequestSchema>;

/** What a step removed or anonymized, by kind of row: non-personal counts, kept with the saga. */
export const EraseStepResponseSchema = z.object({ counts: z.record(z.string(), z.number().int().nonnegative()) });
export type EraseStepResponse = z.infer<typeof EraseStepResponseSchema>;

export const ERASURE_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;

export const ErasureStatusSchema = z.object({
  created_at: time,
  error: z.string().nullable(),
  finished_at: time.nullable(),
  id: uuid,
  status: z.enum(ERASURE_STATUSES),
  steps: z.array(
    z.object({
      attempts: z.number().int(),
      completed_at: time.nullable(),
      counts: z.record(z.string(), z.number()).nullable(),
      last_error: z.string().nullable(),
      service: z.enum(PRIVACY_SERVICES),
      status: z.enum(['pending', 'completed', 'failed']),
    }),
  ),
  subject_type: z.enum(['account', 'end_user']),
});
export type ErasureStatus = z.infer<typeof ErasureStatusSchema>;

/** `privacy.erasure.start.v1`: refused with `conflict` while a legal hold covers the account or a workspace involved. */
export const StartErasureRequestSchema = z.object({
  deleteDocuments: z.boolean(),
  deleteWorkspaceIds: z.array(uuid).max(1000),
  requestedBy: z.object({ accountId: uuid, workspaceId: uuid }),
  subject: PrivacySubjectSchema,
  workspaceIds: z.array(uuid).max(1000),
});
/** The saga, and for an account's own erasure a token to poll its status with once the account is gone. */
export const StartErasureResponseSchema = ErasureStatusSchema.extend({ status_token: z.string().nullable() });
export type StartErasureResponse = z.infer<typeof StartErasureResponseSchema>;

/** `privacy.erasure.status.v1`: by the status token, or by an admin of the workspace the end user belongs to. */
export const ErasureStatusRequestSchema = z.object({
  id: z.string().max(100),
  token: z.string().max(200).nullable(),
  workspaceId: uuid.nullable(),
});

/**
 * `privacy.erasure.resume.v1`: an account's erasure that stopped (`failed`: a legal hold placed while it ran,
 * or a step refused) is taken up again at its first step not done, by the holder of its status token (the
 * account itself can no longer sign in). Refused with `conflict` while a legal hold still covers it.
 */
export const ResumeErasureRequestSchema = z.object({
  id: z.string().max(100),
  token: z.string().max(200),
});

// ---- legal holds --------------------------------------------------------------------------------------

export const LegalHoldSchema = z.object({
  account_id: uuid.nullable(),
  created_at: time,
  id: uuid,
  placed_by: uuid,
  reason: z.string(),
  released_at: time.nullable(),
  released_by: uuid.nullable(),
  workspace_id: uuid,
});
export type LegalHold = z.infer<typeof LegalHoldSchema>;

/** `privacy.legal-hold.place.v1`: a hold on the workspace, or (with `accountId`) on one member's account. */
export const PlaceLegalHoldRequestSchema = z.object({
  accountId: uuid.nullable(),
  placedBy: uuid,
  reason: z.string().min(1).max(500),
  workspaceId: uuid,
});
export const ReleaseLegalHoldRequestSchema = z.object({ id: z.string().max(100), releasedBy: uuid, workspaceId: uuid });
export const ListLegalHoldsRequestSchema = z.object({ workspaceId: uuid });
export const ListLegalHoldsResponseSchema = z.object({ data: z.array(LegalHoldSchema) });
