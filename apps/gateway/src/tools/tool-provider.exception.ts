import { DomainError } from '@weft/contracts';

/** The errors of the gateway's tool providers. */
export const ToolProviderErrors = {
  builtinNotFound: (provider: string) => new DomainError('not_found', `builtin provider ${provider} not found`),
  credentialsInvalid: (problems: string) => new DomainError('invalid_param', problems),
  noCredentials: (provider: string) => new DomainError('invalid_param', `builtin provider ${provider} does not need credentials`),
  notFound: (type: string, provider: string) => new DomainError('not_found', `${type} tool provider ${provider} not found`),
  unreadable: (provider: string) =>
    new DomainError(
      'provider_not_initialize',
      `The stored credentials of tool provider ${provider} cannot be opened for this workspace; an admin must save them again.`,
    ),
} as const;
