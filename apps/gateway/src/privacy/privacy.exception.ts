import { DomainError } from '@weft/contracts';

/** The errors of the gateway's part in exports, erasures and legal holds. */
export const PrivacyErrors = {
  /** Erasing an account would take shared workspaces with it; says how to get out of the way. */
  ownsSharedWorkspace: (workspaceId: string, others: number) =>
    new DomainError(
      'conflict',
      `You own the workspace "${workspaceId}" with ${others} other member(s). Transfer its ownership ` +
        '(POST /console/api/workspaces/current/members/{member_id}/owner-transfer) ' +
        'or remove its other members before erasing your account.',
    ),
  ownsWorkspaceWithMembers: (workspaceId: string) =>
    new DomainError('conflict', `The account owns workspace ${workspaceId}, which has other members; ownership must be transferred first.`),
  notAMember: () => new DomainError('not_found', 'No member of this workspace has this account id.'),
  workspaceGainedMembers: (workspaceId: string) =>
    new DomainError('conflict', `Workspace ${workspaceId} has other members now; it can no longer be erased with the account.`),
} as const;
