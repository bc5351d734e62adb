import { DomainError } from '@weft/contracts';

/** The errors of `GET /v1/end-users/{id}`, in Dify's words. */
export const EndUserErrors = {
  /** An id that is not a UUID does not match Dify's route (`<uuid:end_user_id>`), so Flask answers its own 404. */
  malformedId: () =>
    new DomainError(
      'not_found',
      'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
    ),
  /** No end user of this app has the id (one of another app or workspace is not told apart). */
  notFound: () => new DomainError('end_user_not_found', 'End user not found.'),
} as const;
