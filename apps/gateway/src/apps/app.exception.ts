import { DomainError } from '@weft/contracts';

/** The errors of the gateway's apps feature that only it raises. */
export const ProviderCredentialErrors = {
  /**
   * The stored credentials do not open for this workspace and provider: copied from another row, altered,
   * under a key no longer configured, or not yet re-sealed after the upgrade. Nothing of them is used.
   */
  unreadable: (provider: string) =>
    new DomainError(
      'provider_not_initialize',
      `The stored credentials of provider ${provider} cannot be opened for this workspace; an admin must save them again.`,
    ),
} as const;
