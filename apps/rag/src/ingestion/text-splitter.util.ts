import { contentHash } from './content-hash.util';
import {
  AUTOMATIC_RULES,
  DEFAULT_MAX_SEGMENT_LENGTH,
  MIN_SEGMENT_LENGTH,
  ParentMode,
  PreProcessingRule,
  PreProcessingRuleId,
  ProcessRule,
  ProcessRuleError,
  ResolvedProcessRule,
  Segmentation,
} from './process-rule.types';
import type { ChildChunkDraft, SegmentDraft, SplitDocumentResult } from './segment.types';
import { cleanText } from './text-cleaner.util';
import { countCharacters, estimateTokens, LengthFunction } from './token-count.util';

// Dify's segmentation (FixedRecursiveCharacterTextSplitter and RecursiveCharacterTextSplitter, as its
// index processors drive them), re-stated:
// - automatic: the whole cleaned text is split recursively and the small pieces merged back up to
//   the chunk size, consecutive chunks sharing up to `chunk_overlap` of text;
// - custom: the text is cut at the fixed separator and every piece becomes its own chunk; only a
//   piece longer than `max_tokens` is split recursively (and merged, with overlap) like automatic;
// - hierarchical: parents as custom (`paragraph`) or the whole text (`full-doc`), each parent cut
//   into child chunks by the subchunk rule.
// Lengths are characters by default, as in Dify today (see token-count.util.ts).

/**
 * The separators a too-long piece is tried with, in order. Dify passes the same list without "\n";
 * Weft keeps "\n" so hard-wrapped text, lists and table rows break at line ends before sentences.
 */
export const RECURSIVE_SEPARATORS: readonly string[] = ['\n\n', '\n', '。', '. ', ' ', ''];

/** How chunks are measured and bounded. */
export interface ChunkOptions {
  chunkOverlap: number;
  chunkSize: number;
  /** Defaults to `countCharacters`, Dify's measure. */
  measure?: LengthFunction;
  /** Defaults to `RECURSIVE_SEPARATORS`. */
  separators?: readonly string[];
}

/** Options of `splitDocument` beyond the process rule. */
export interface SplitDocumentOptions {
  /** Fills each segment's `tokens`; defaults to `estimateTokens`. */
  countTokens?: LengthFunction;
  /** The largest `max_tokens` accepted (Dify's `INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH`); default 4000. */
  maxSegmentLength?: number;
  /** Measures chunks against `max_tokens`; defaults to `countCharacters`, Dify's measure. */
  measure?: LengthFunction;
}

interface Piece {
  length: number;
  text: string;
}

function splitKeepingSeparator(text: string, separator: string): string[] {
  const parts = text.split(separator);
  return parts.map((part, index) => (index < parts.length - 1 ? part + separator : part));
}

/**
 * Merges pieces (which carry their own separators) into chunks of at most `chunkSize`, starting each
 * new chunk with the tail of the previous one up to `chunkOverlap`. A single piece longer than the
 * chunk size still becomes its own chunk, as in Dify.
 */
function mergePieces(pieces: readonly Piece[], chunkSize: number, chunkOverlap: number): string[] {
  const chunks: string[] = [];
  const window: Piece[] = [];
  // The window is pieces[head..]; a moving head keeps dropping from the front O(1).
  let head = 0;
  let total = 0;
  const emit = () => {
    const chunk = window
      .slice(head)
      .map((piece) => piece.text)
      .join('')
      .trim();
    if (chunk !== '') chunks.push(chunk);
  };
  for (const piece of pieces) {
    if (total + piece.length > chunkSize && window.length > head) {
      emit();
      while (total > chunkOverlap || (total + piece.length > chunkSize && total > 0)) {
        total -= window[head].length;
        head += 1;
      }
      if (head > 1024 && head * 2 > window.length) {
        window.splice(0, head);
        head = 0;
      }
    }
    window.push(piece);
    total += piece.length;
  }
  emit();
  return chunks;
}

function recursiveSplit(
  text: string,
  separators: readonly string[],
  chunkSize: number,
  chunkOverlap: number,
  measure: LengthFunction,
): string[] {
  let separator = separators[separators.length - 1] ?? '';
  let remaining: readonly string[] = [];
  for (let i = 0; i < separators.length; i += 1) {
    const candidate = separators[i];
    if (candidate === '') {
      separator = '';
      break;
    }
    if (text.includes(candidate)) {
      separator = candidate;
      remaining = separators.slice(i + 1);
      break;
    }
  }
  // Dify drops bare "\n" pieces of a character split; Weft keeps them, so lines of CJK text stay lines.
  const parts = (separator === '' ? Array.from(text) : splitKeepingSeparator(text, separator)).filter((part) => part !== '');
  const chunks: string[] = [];
  let small: Piece[] = [];
  for (const part of parts) {
    const length = measure(part);
    if (length < chunkSize) {
      small.push({ text: part, length });
      continue;
    }
    if (small.length > 0) {
      chunks.push(...mergePieces(small, chunkSize, chunkOverlap));
      small = [];
    }
    if (remaining.length === 0) chunks.push(part);
    else chunks.push(...recursiveSplit(part, remaining, chunkSize, chunkOverlap, measure));
  }
  if (small.length > 0) chunks.push(...mergePieces(small, chunkSize, chunkOverlap));
  return chunks;
}

function assertChunkOptions(options: ChunkOptions): void {
  const { chunkSize, chunkOverlap } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new ProcessRuleError(`Chunk size must be a positive integer, got ${String(chunkSize)}.`);
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0)
    throw new ProcessRuleError(`Chunk overlap must be a non-negative integer, got ${String(chunkOverlap)}.`);
  if (chunkOverlap > chunkSize) {
    throw new ProcessRuleError(`Got a larger chunk overlap (${chunkOverlap}) than chunk size (${chunkSize}), should be smaller.`);
  }
}

/**
 * Dify's recursive splitter (automatic mode): splits at the first separator the text contains, splits
 * pieces still too long at the next separators, and merges pieces back into chunks of at most
 * `chunkSize` with up to `chunkOverlap` shared between neighbours. Chunks are trimmed; empty ones are dropped.
 */
export function splitRecursive(text: string, options: ChunkOptions): string[] {
  assertChunkOptions(options);
  return recursiveSplit(
    text,
    options.separators ?? RECURSIVE_SEPARATORS,
    options.chunkSize,
    options.chunkOverlap,
    options.measure ?? countCharacters,
  );
}

/**
 * Dify's fixed-separator splitter (custom mode): every piece between separators is a chunk of its own
 * (not merged with its neighbours); a piece longer than `chunkSize` is split as `splitRecursive` does.
 * Pieces are returned as cut, untrimmed, as Dify's splitter returns them.
 */
export function splitOnSeparator(text: string, separator: string, options: ChunkOptions): string[] {
  assertChunkOptions(options);
  const measure = options.measure ?? countCharacters;
  const separators = options.separators ?? RECURSIVE_SEPARATORS;
  const chunks: string[] = [];
  for (const piece of separator === '' ? [text] : text.split(separator)) {
    if (measure(piece) > options.chunkSize)
      chunks.push(...recursiveSplit(piece, separators, options.chunkSize, options.chunkOverlap, measure));
    else chunks.push(piece);
  }
  return chunks;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '0': '\0' };

/**
 * A separator as typed in a form, with backslash escapes decoded: `\n`, `\t`, `\r`, `\\`, `\uXXXX` and
 * `\xXX`. Dify does this with Python's `unicode_escape`, which also garbles non-ASCII separators;
 * Weft leaves every other character as it is.
 */
export function decodeSeparator(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[ntr0\\])/g, (match, code: string) => {
    if (code.length > 1) return String.fromCharCode(parseInt(code.slice(1), 16));
    return ESCAPES[code] ?? match;
  });
}

// Punctuation a separator can leave at the start of a chunk ("." of ". ", "。", a list comma).
// Dify strips a wider class (every ASCII symbol, the General Punctuation and CJK Symbols blocks),
// which also eats Markdown headings "#", quotes, brackets and currency signs; Weft strips only these.
const LEADING_SEPARATOR_RESIDUE = /^[\s.。,，;；:：!！?？、]+/u;

/** Removes the separator residue that can begin a chunk (periods, commas, colons and their CJK forms, whitespace). */
export function removeLeadingSymbols(text: string): string {
  return text.replace(LEADING_SEPARATOR_RESIDUE, '');
}

const PRE_PROCESSING_RULE_IDS: readonly PreProcessingRuleId[] = ['remove_stopwords', 'remove_extra_spaces', 'remove_urls_emails'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolvePreProcessingRules(value: unknown): PreProcessingRule[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ProcessRuleError('Process rule pre_processing_rules is invalid');
  // Dify keeps the last entry for an id that appears twice.
  const byId = new Map<PreProcessingRuleId, PreProcessingRule>();
  for (const item of value as unknown[]) {
    if (!isRecord(item) || !PRE_PROCESSING_RULE_IDS.includes(item.id as PreProcessingRuleId)) {
      throw new ProcessRuleError('Process rule pre_processing_rules id is invalid');
    }
    if (typeof item.enabled !== 'boolean') throw new ProcessRuleError('Process rule pre_processing_rules enabled is invalid');
    const id = item.id as PreProcessingRuleId;
    byId.delete(id);
    byId.set(id, { id, enabled: item.enabled });
  }
  return [...byId.values()];
}

function resolveSegmentation(
  value: unknown,
  field: 'segmentation' | 'subchunk_segmentation',
  maxLength: number,
  requireLength: boolean,
): Segmentation {
  if (!isRecord(value))
    throw new ProcessRuleError(
      field === 'segmentation' ? 'Process rule segmentation is required' : 'No subchunk segmentation found in rules.',
    );
  const separator = value.separator ?? '\n';
  if (typeof separator !== 'string') throw new ProcessRuleError(`Process rule ${field} separator is invalid`);
  if (separator === '') throw new ProcessRuleError(`Process rule ${field} separator is required`);
  const maxTokens = value.max_tokens;
  if (maxTokens === undefined || maxTokens === null || maxTokens === 0) {
    if (!requireLength) return { separator, max_tokens: maxLength, chunk_overlap: 0 };
    throw new ProcessRuleError(`Process rule ${field} max_tokens is required`);
  }
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens))
    throw new ProcessRuleError(`Process rule ${field} max_tokens is invalid`);
  if (maxTokens < MIN_SEGMENT_LENGTH || maxTokens > maxLength) {
    throw new ProcessRuleError(`Custom segment length should be between ${MIN_SEGMENT_LENGTH} and ${maxLength}.`);
  }
  const overlap = value.chunk_overlap ?? 0;
  if (typeof overlap !== 'number' || !Number.isInteger(overlap) || overlap < 0)
    throw new ProcessRuleError(`Process rule ${field} chunk_overlap is invalid`);
  if (overlap > maxTokens)
    throw new ProcessRuleError(`Got a larger chunk overlap (${overlap}) than chunk size (${maxTokens}), should be smaller.`);
  return { separator, max_tokens: maxTokens, chunk_overlap: overlap };
}

/**
 * Checks a client's `process_rule` and fills in what the chosen mode leaves out, with Dify's messages:
 * no rule, or `automatic`, is Dify's automatic rules (anything sent with it is ignored, as in Dify);
 * `custom` and `hierarchical` need `rules` with a segmentation of 50 to `maxSegmentLength`.
 */
export function resolveProcessRule(rule: ProcessRule | null | undefined, options: { maxSegmentLength?: number } = {}): ResolvedProcessRule {
  const maxLength = options.maxSegmentLength ?? DEFAULT_MAX_SEGMENT_LENGTH;
  if (rule === undefined || rule === null || rule.mode === 'automatic') {
    return {
      mode: 'automatic',
      preProcessingRules: [...AUTOMATIC_RULES.pre_processing_rules],
      segmentation: { ...AUTOMATIC_RULES.segmentation },
    };
  }
  if (!isRecord(rule)) throw new ProcessRuleError('Process rule is invalid');
  if (rule.mode !== 'custom' && rule.mode !== 'hierarchical') throw new ProcessRuleError('Process rule mode is invalid');
  const rules: unknown = rule.rules;
  if (!isRecord(rules)) throw new ProcessRuleError('Process rule rules is required');
  const preProcessingRules = resolvePreProcessingRules(rules.pre_processing_rules);
  if (rule.mode === 'custom') {
    return { mode: 'custom', preProcessingRules, segmentation: resolveSegmentation(rules.segmentation, 'segmentation', maxLength, true) };
  }
  const parentMode = (rules.parent_mode ?? 'paragraph') as ParentMode;
  if (parentMode !== 'paragraph' && parentMode !== 'full-doc') throw new ProcessRuleError('Process rule parent_mode is invalid');
  const segmentation =
    parentMode === 'full-doc' && !isRecord(rules.segmentation)
      ? { separator: '\n\n', max_tokens: maxLength, chunk_overlap: 0 }
      : resolveSegmentation(rules.segmentation, 'segmentation', maxLength, parentMode === 'paragraph');
  return {
    mode: 'hierarchical',
    parentMode,
    preProcessingRules,
    segmentation,
    subchunkSegmentation: resolveSegmentation(rules.subchunk_segmentation, 'subchunk_segmentation', maxLength, true),
  };
}

function finishChunk(chunk: string): string | null {
  if (chunk.trim() === '') return null;
  const content = removeLeadingSymbols(chunk).trim();
  return content === '' ? null : content;
}

function chunkOptions(segmentation: Segmentation, measure: LengthFunction): ChunkOptions {
  return { chunkSize: segmentation.max_tokens, chunkOverlap: segmentation.chunk_overlap, measure };
}

function splitCustom(text: string, segmentation: Segmentation, measure: LengthFunction): string[] {
  return splitOnSeparator(text, decodeSeparator(segmentation.separator), chunkOptions(segmentation, measure))
    .map(finishChunk)
    .filter((chunk): chunk is string => chunk !== null);
}

/**
 * The child chunks a parent segment is cut into by a hierarchical rule's `subchunk_segmentation`,
 * numbered from 1: used when a document is split and when a segment's children are regenerated.
 */
export function splitChildChunks(
  parent: string,
  subchunk: Segmentation,
  options: Pick<SplitDocumentOptions, 'countTokens' | 'measure'> = {},
): ChildChunkDraft[] {
  const measure = options.measure ?? countCharacters;
  const countTokens = options.countTokens ?? estimateTokens;
  return splitCustom(parent, subchunk, measure).map((content, index) => ({
    content,
    indexNodeHash: contentHash(content),
    position: index + 1,
    tokens: countTokens(content),
    wordCount: countCharacters(content),
  }));
}

/**
 * Cleans and splits one document's text by its process rule into numbered segments (and, in
 * hierarchical mode, child chunks), each with its character count, token estimate and content hash.
 * The same text and rule always give the same segments, so a restarted ingestion can rebuild them.
 */
export function splitDocument(text: string, rule: ProcessRule | null | undefined, options: SplitDocumentOptions = {}): SplitDocumentResult {
  const resolved = resolveProcessRule(rule, { maxSegmentLength: options.maxSegmentLength });
  const measure = options.measure ?? countCharacters;
  const countTokens = options.countTokens ?? estimateTokens;
  const cleaned = cleanText(text, resolved.preProcessingRules);
  const draft = (content: string, position: number) => ({
    content,
    indexNodeHash: contentHash(content),
    position,
    tokens: countTokens(content),
    wordCount: countCharacters(content),
  });

  let segments: SegmentDraft[];
  if (resolved.mode === 'hierarchical') {
    const parents =
      resolved.parentMode === 'full-doc'
        ? [cleaned.trim()].filter((parent) => parent !== '')
        : splitCustom(cleaned, resolved.segmentation, measure);
    segments = parents.map((parent, index) => ({
      ...draft(parent, index + 1),
      childChunks: splitChildChunks(parent, resolved.subchunkSegmentation, { countTokens, measure }),
    }));
  } else {
    const chunks =
      resolved.mode === 'automatic'
        ? splitRecursive(cleaned, chunkOptions(resolved.segmentation, measure))
            .map(finishChunk)
            .filter((chunk): chunk is string => chunk !== null)
        : splitCustom(cleaned, resolved.segmentation, measure);
    segments = chunks.map((chunk, index) => draft(chunk, index + 1));
  }
  return {
    docForm: resolved.mode === 'hierarchical' ? 'hierarchical_model' : 'text_model',
    segments,
    tokens: segments.reduce((sum, segment) => sum + segment.tokens, 0),
    wordCount: segments.reduce((sum, segment) => sum + segment.wordCount, 0),
  };
}
