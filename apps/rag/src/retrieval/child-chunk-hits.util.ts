import type { ScoredHit } from './fusion.util';

/** A child chunk that matched the query, and its score. */
export interface ChildChunkHit {
  id: string;
  score: number;
}

/** A parent segment found through its child chunks: the best child's score, and every child that matched, best first. */
export interface ParentHit extends ScoredHit {
  childChunks: ChildChunkHit[];
}

/**
 * Dify's parent-child retrieval answers with the parent segments of the child chunks it found: one record
 * per parent, scored by its best child, listing the children that matched. `hits` are child chunks (best
 * first, already cut to top_k and threshold); `parentOf` maps a child id to its segment id (children
 * whose parent is unknown, deleted meanwhile, are dropped). Parents come best first, ties by id.
 */
export function groupChildHits(hits: readonly ScoredHit[], parentOf: ReadonlyMap<string, string>): ParentHit[] {
  const parents = new Map<string, ParentHit>();
  for (const hit of hits) {
    const parentId = parentOf.get(hit.id);
    if (parentId === undefined) continue;
    const parent = parents.get(parentId);
    if (parent) {
      parent.childChunks.push({ id: hit.id, score: hit.score });
      parent.score = Math.max(parent.score, hit.score);
    } else {
      parents.set(parentId, { childChunks: [{ id: hit.id, score: hit.score }], id: parentId, score: hit.score });
    }
  }
  const grouped = [...parents.values()];
  for (const parent of grouped) parent.childChunks.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return grouped.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
