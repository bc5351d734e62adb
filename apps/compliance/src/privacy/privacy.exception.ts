import { DomainError } from '@weft/contracts';

/** The errors of account and end-user erasures. */
export const ErasureErrors = {
  alreadyUnderWay: (subjectType: 'account' | 'end_user', erasureId: string) => {
    const subject = subjectType === 'account' ? 'account' : 'end user';
    return new DomainError('conflict', `An erasure of this ${subject} is already under way (${erasureId}).`);
  },
  changedMeanwhile: () => new DomainError('conflict', 'The erasure changed meanwhile; poll its status.'),
  heldOn: (on: 'the account' | 'the workspace', holdId: string) =>
    new DomainError('conflict', `A legal hold on ${on} prevents erasure until it is released (hold ${holdId}).`),
  notFound: () => new DomainError('not_found', 'Erasure request not found.'),
  notStopped: (status: string) => new DomainError('conflict', `Only a stopped erasure can be resumed; this one is ${status}.`),
  stillHeld: (holdId: string) => new DomainError('conflict', `A legal hold (${holdId}) still prevents this erasure.`),
} as const;

/** The errors of an account's data export and its one-time download link. */
export const ExportErrors = {
  alreadyDownloaded: () => new DomainError('gone', 'This export has already been downloaded; request a new one.'),
  alreadyPreparing: () => new DomainError('conflict', 'An export of this account is already being prepared; poll its status.'),
  failed: () => new DomainError('gone', 'This export failed; request a new one.'),
  linkExpired: () => new DomainError('gone', 'This download link has expired; request a new export.'),
  linkNotFound: () => new DomainError('not_found', 'Export not found, or the link is not valid.'),
  notFound: () => new DomainError('not_found', 'Export not found.'),
  notReady: () => new DomainError('conflict', 'The export is not ready yet; poll its status.'),
} as const;

/** The errors of legal holds. */
export const LegalHoldErrors = {
  notFound: () => new DomainError('not_found', 'No active legal hold with this id in this workspace.'),
} as const;
