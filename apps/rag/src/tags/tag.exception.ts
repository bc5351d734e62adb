import { DomainError } from '@weft/contracts';

/** Knowledge tags: Dify's messages, word for word (its clients match on them). */
export const TagErrors = {
  nameTaken: () => new DomainError('invalid_param', 'Tag name already exists'),
  notFound: () => new DomainError('not_found', 'Tag not found'),
  tagIdsRequired: () => new DomainError('invalid_param', 'Tag IDs is required.'),
} as const;
