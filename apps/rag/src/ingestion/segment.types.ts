/** A child chunk of a hierarchical (parent-child) segment, ready to be stored; positions start at 1. */
export interface ChildChunkDraft {
  content: string;
  /** sha256 hex of `content`, usable as the child's `index_node_hash`. */
  indexNodeHash: string;
  position: number;
  tokens: number;
  /** Characters, as Dify's `word_count` is `len(content)`. */
  wordCount: number;
}

/** A segment ready to be stored; positions start at 1 within the document, as in Dify. */
export interface SegmentDraft {
  /** Present (possibly empty) in hierarchical mode only. */
  childChunks?: ChildChunkDraft[];
  content: string;
  /** sha256 hex of `content`, usable as `index_node_hash`. */
  indexNodeHash: string;
  position: number;
  tokens: number;
  /** Characters, as Dify's `word_count` is `len(content)`. */
  wordCount: number;
}

/** What splitting a document produced: its segments and the `doc_form` they belong to. */
export interface SplitDocumentResult {
  docForm: 'text_model' | 'hierarchical_model';
  segments: SegmentDraft[];
  /** Sum of the segments' `tokens` (a document's `tokens`). */
  tokens: number;
  /** Sum of the segments' `wordCount` (a document's `word_count`). */
  wordCount: number;
}
