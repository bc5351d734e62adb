/** Encryption of secrets at rest, with key ids for rotation and a binding to each value's row. */
export {
  SecretBox,
  SealedValueError,
  isLegacySealed,
  isSealed,
  sealedKeyId,
  sealedVersion,
  type SealBinding,
  type SealedValueProblem,
} from './secret-box.util';
export * from './keyring.util';
export { deriveKeys } from './key-derivation.util';
export { EndUserPseudonyms } from './pseudonym.util';
export { JobGrants, JobGrantError } from './job-grant.util';
