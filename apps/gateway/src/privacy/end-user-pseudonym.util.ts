import { createHash } from 'node:crypto';

/**
 * What audit records say instead of an end user's `user` string (which callers often fill with an email
 * or a name): SHA-256 of the workspace id and the string. The same end user gets the same pseudonym across
 * a workspace's apps, and the erasure record carries it too, so an admin can still follow one end user
 * through the trail without the trail holding who they are. A guessable string can be confirmed by
 * hashing a guess; it cannot be read back.
 */
export function endUserPseudonym(workspaceId: string, user: string): string {
  return createHash('sha256').update(`${workspaceId}\u0000${user}`, 'utf8').digest('hex');
}
