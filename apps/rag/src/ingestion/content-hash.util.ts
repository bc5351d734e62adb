import { createHash } from 'node:crypto';

/**
 * The sha256 hex digest of a text's UTF-8 bytes: a segment's `index_node_hash` and the content half of
 * an embedding cache key. Dify hashes `text + "None"`; the value is opaque to clients, so Weft hashes
 * the text alone.
 */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
