/** Encryption of secrets at rest, with key ids for rotation. */
export { SecretBox, isSealed, sealedKeyId } from './secret-box.util';
export * from './keyring.util';
export { deriveKeys } from './key-derivation.util';
export { EndUserPseudonyms } from './pseudonym.util';
export { JobGrants, JobGrantError } from './job-grant.util';
