import { DomainError } from '@weft/contracts';

/** The errors of custom OpenAPI providers, with Dify's messages (Dify answers each as a 400 `invalid_param`). */
export const ApiToolProviderErrors = {
  authTypeRequired: () => new DomainError('invalid_param', 'auth_type is required'),
  credentialsInvalid: (problem: string) => new DomainError('invalid_param', problem),
  exists: (provider: string) => new DomainError('invalid_param', `provider ${provider} already exists`),
  invalidAuthType: (value: string) => new DomainError('invalid_param', `invalid mode value ${value}`),
  invalidSchema: (reason: string) => new DomainError('invalid_param', `invalid schema: ${reason}`),
  invalidSchemaType: (value: string) => new DomainError('invalid_param', `invalid schema type ${value}`),
  notAdded: (provider: string) => new DomainError('invalid_param', `you have not added provider ${provider}`),
  notFoundForUpdate: (provider: string) => new DomainError('invalid_param', `api provider ${provider} does not exists`),
  tooLarge: (bytes: number, limit: number) =>
    new DomainError(
      'invalid_param',
      `invalid schema: its tools take ${bytes} bytes once parsed, more than the ${limit} bytes a provider may hold; split it into several providers`,
    ),
  tooManyTools: () => new DomainError('invalid_param', 'the number of apis should be less than 100'),
} as const;
