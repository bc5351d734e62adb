import { DomainError } from '@weft/contracts';

/** The errors of annotations and annotation reply, in Dify's words. */
export const AnnotationErrors = {
  /** Dify answers a malformed id (its route wants a UUID) with Flask's own 404. */
  malformedId: () =>
    new DomainError(
      'not_found',
      'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
    ),
  /** No annotation of this app has the id (one of another app or workspace is not told apart). */
  notFound: () => new DomainError('not_found', 'Annotation not found'),
  /** A job id of no job of this app and action (Dify's ValueError, answered 400). */
  jobNotFound: () => new DomainError('invalid_param', 'The job does not exist.'),
  unsupportedAction: () => new DomainError('invalid_param', 'Unsupported annotation reply action'),
} as const;
