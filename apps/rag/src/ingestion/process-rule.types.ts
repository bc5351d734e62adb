import { DomainError } from '@weft/contracts';

/** How a document is cut into segments: Dify's `process_rule.mode`. */
export type ProcessRuleMode = 'automatic' | 'custom' | 'hierarchical';

/** The pre-processing rules Dify knows; `remove_stopwords` is accepted and ignored, as in Dify. */
export type PreProcessingRuleId = 'remove_stopwords' | 'remove_extra_spaces' | 'remove_urls_emails';

/** One entry of `rules.pre_processing_rules`. */
export interface PreProcessingRule {
  enabled: boolean;
  id: PreProcessingRuleId;
}

/** `rules.segmentation` / `rules.subchunk_segmentation`, with Dify's field names. */
export interface Segmentation {
  chunk_overlap: number;
  max_tokens: number;
  /** A fixed separator; the two characters `\n` (as typed in a form) mean a newline. */
  separator: string;
}

/** Hierarchical (parent-child) mode: parents are separator-split paragraphs, or the whole document. */
export type ParentMode = 'paragraph' | 'full-doc';

/** `process_rule.rules` as a client sends it; every part is optional until a mode needs it. */
export interface ProcessRuleRules {
  parent_mode?: ParentMode | null;
  pre_processing_rules?: readonly PreProcessingRule[] | null;
  segmentation?: Partial<Segmentation> | null;
  subchunk_segmentation?: Partial<Segmentation> | null;
}

/** Dify's `process_rule`. */
export interface ProcessRule {
  mode: ProcessRuleMode;
  rules?: ProcessRuleRules | null;
}

/** A process rule with every value the splitter needs filled in and checked. */
export type ResolvedProcessRule =
  | { mode: 'automatic' | 'custom'; preProcessingRules: readonly PreProcessingRule[]; segmentation: Segmentation }
  | {
      mode: 'hierarchical';
      parentMode: ParentMode;
      preProcessingRules: readonly PreProcessingRule[];
      /** Unused for `full-doc` parents. */
      segmentation: Segmentation;
      subchunkSegmentation: Segmentation;
    };

/** Dify's `DatasetProcessRule.AUTOMATIC_RULES`: extra spaces removed, URLs kept, 500 per chunk with 50 overlap. */
export const AUTOMATIC_RULES = {
  pre_processing_rules: [
    { id: 'remove_extra_spaces', enabled: true },
    { id: 'remove_urls_emails', enabled: false },
  ],
  segmentation: { separator: '\n', max_tokens: 500, chunk_overlap: 50 },
} as const satisfies { pre_processing_rules: readonly PreProcessingRule[]; segmentation: Segmentation };

/** The smallest `max_tokens` Dify accepts for custom and hierarchical rules. */
export const MIN_SEGMENT_LENGTH = 50;
/** Dify's `INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH` default: the largest `max_tokens` accepted. */
export const DEFAULT_MAX_SEGMENT_LENGTH = 4000;

/** A process rule the splitter cannot apply; the message is Dify's where Dify has one. Maps to 400 `invalid_param`. */
export class ProcessRuleError extends DomainError {
  constructor(message: string) {
    super('invalid_param', message);
    this.name = 'ProcessRuleError';
  }
}
