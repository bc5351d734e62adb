import { DomainError } from '@weft/contracts';

/** The errors of `GET /v1/files/{file_id}/preview`, in Dify's codes and words. */
export const UploadPreviewErrors = {
  /** An id that is not a UUID does not match Dify's route (`<uuid:file_id>`), so Flask answers its own 404. */
  malformedId: () =>
    new DomainError(
      'not_found',
      'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
    ),
  /** No file of this app has the id: one of another app or workspace is not told apart from one that never was. */
  notFound: () => new DomainError('file_not_found', 'The requested file was not found.'),
} as const;
