/** Encryption of secrets at rest, with key ids for rotation. */
export { SecretBox, isSealed } from './secret-box.util';
