import type { VerifyAuditTrailResponse, VerifyWorkspaceAuditTrailResponse } from '@weft/contracts';
import type { DataSource } from 'typeorm';
import {
  verifyAuditChain,
  verifyWorkspaceAuditChain,
  type ChainVerification,
  type WorkspaceChainVerification,
} from './audit-event.repository';
import type { AuditSealer } from './audit-seal.util';

/** The answer of `audit.verify.v1` for a walk of the whole chain. */
export function toVerifyResponse({ broken, checked, head, start }: ChainVerification): VerifyAuditTrailResponse {
  if (broken) return { checked, first_broken: broken, result: 'broken' };
  return { checked, checkpoint: start.fromCheckpoint ? { previous_hash: start.prevHash, seq: start.seq } : null, head, result: 'ok' };
}

/** The answer of `audit.verify.workspace.v1` for a walk of one workspace's chain. */
export function toWorkspaceVerifyResponse({ broken, checked, head, start }: WorkspaceChainVerification): VerifyWorkspaceAuditTrailResponse {
  if (broken) return { checked, first_broken: broken, result: 'broken', scope: 'workspace' };
  return {
    checked,
    checkpoint: start.fromCheckpoint ? { previous_hash: start.prevHash, seq: start.seq } : null,
    head,
    result: 'ok',
    scope: 'workspace',
  };
}

/**
 * `npm run audit:verify` (`main.js verify-audit [--workspace <id>]`): the operators' check from a shell, with
 * the compliance service's own database and keys, for when the gateway is not at hand. Prints the answer as
 * JSON, the platform's (as `GET /v1/system/audit/verify` would) or one workspace's; exits 0 when the chain
 * holds, 2 when it is broken.
 */
export async function verifyAuditCommand(source: DataSource, sealer: AuditSealer, args: string[]): Promise<number> {
  const at = args.indexOf('--workspace');
  const workspaceId = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && !workspaceId) {
    process.stderr.write('Usage: verify-audit [--workspace <workspace id>]\n');
    return 1;
  }
  const answer = workspaceId
    ? toWorkspaceVerifyResponse(await verifyWorkspaceAuditChain(source, sealer, workspaceId))
    : { ...toVerifyResponse(await verifyAuditChain(source, sealer)), scope: 'platform' as const };
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  return answer.result === 'ok' ? 0 : 2;
}
