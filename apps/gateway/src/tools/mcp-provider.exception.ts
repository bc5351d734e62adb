import { DomainError } from '@weft/contracts';

/** The errors of the console's MCP provider routes, worded as Dify words them where it has them. */
export const McpProviderErrors = {
  connectFailed: (message: string) => new DomainError('invalid_param', `Failed to connect to MCP server: ${message}`),
  identifierTaken: (identifier: string) => new DomainError('invalid_param', `MCP tool ${identifier} already exists`),
  invalidUrl: () => new DomainError('invalid_param', 'Server URL is not valid.'),
  nameTaken: (name: string) => new DomainError('invalid_param', `MCP tool ${name} already exists`),
  notFound: () => new DomainError('not_found', 'MCP tool not found'),
  taken: () => new DomainError('invalid_param', 'An MCP tool with this name, server identifier or server URL already exists'),
  urlTaken: () => new DomainError('invalid_param', 'MCP tool with this server URL already exists'),
} as const;
