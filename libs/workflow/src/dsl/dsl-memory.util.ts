import { isPlainObject } from '../variables/python-semantics.util';

/** A node's `memory` block, read: how many turns and how the current query is phrased. */
export interface MemorySettings {
  /** Turns to include: the window size, or DEFAULT_MEMORY_TURNS when the window is off (Dify then limits by tokens). */
  turns: number;
  queryPromptTemplate: string | null;
  rolePrefix: { assistant: string; user: string };
}

/** Turns fed to a node whose memory has no window; Dify bounds these by a token budget instead. */
export const DEFAULT_MEMORY_TURNS = 50;
const MAX_WINDOW = 500;

/**
 * The memory settings of an llm, parameter-extractor or question-classifier node, or null when it has
 * none. The orchestrator reads how many turns to send with the node's job; the node runner how to phrase them.
 */
export function readMemory(data: Record<string, unknown>): MemorySettings | null {
  const memory = data['memory'];
  if (!isPlainObject(memory)) return null;
  const window = isPlainObject(memory['window']) ? memory['window'] : {};
  const size = Number(window['size']);
  const turns =
    window['enabled'] === true && Number.isFinite(size) && size >= 1 ? Math.min(Math.floor(size), MAX_WINDOW) : DEFAULT_MEMORY_TURNS;
  const prefix = isPlainObject(memory['role_prefix']) ? memory['role_prefix'] : {};
  return {
    queryPromptTemplate:
      typeof memory['query_prompt_template'] === 'string' && memory['query_prompt_template'].trim() !== ''
        ? memory['query_prompt_template']
        : null,
    rolePrefix: {
      assistant: typeof prefix['assistant'] === 'string' && prefix['assistant'] ? prefix['assistant'] : 'Assistant',
      user: typeof prefix['user'] === 'string' && prefix['user'] ? prefix['user'] : 'Human',
    },
    turns,
  };
}
