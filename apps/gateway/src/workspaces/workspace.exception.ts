import { DomainError } from '@weft/contracts';

/** The errors of workspaces, their members and invitations. */
export const WorkspaceErrors = {
  alreadyOwner: () => new DomainError('invalid_param', 'You already own this workspace.'),
  emailTakenOnJoin: () =>
    new DomainError('conflict', 'An account with this email already exists; sign in with it and accept the invitation instead.'),
  invitationForAnotherAccount: () =>
    new DomainError('invitation_account_mismatch', 'This invitation was sent to another account. Please sign in with the invited account.'),
  invitationInvalid: () => new DomainError('bad_request', 'The invitation link is invalid or has expired.'),
  memberNotFound: () => new DomainError('not_found', 'Member not found.'),
  newOwnerNotActive: () => new DomainError('invalid_param', 'Only an active account can own a workspace.'),
  notFound: () => new DomainError('not_found', 'Workspace not found.'),
  onlyOwnerChangesRole: (role: string) => new DomainError('forbidden', `Only the owner can change a member whose role is ${role}.`),
  onlyOwnerGivesRole: (role: string) => new DomainError('forbidden', `Only the owner can give the ${role} role.`),
  ownerMembershipFixed: () => new DomainError('forbidden', "The workspace owner's membership cannot be changed."),
  ownMembershipFixed: () => new DomainError('forbidden', 'You cannot change your own membership.'),
  transferRaced: () =>
    new DomainError('conflict', 'The workspace changed hands or lost this member meanwhile; reload the members and try again.'),
} as const;
