import type { ConversationTurn } from '@weft/contracts';
import { isPlainObject, renderTemplate, type VariablePool } from '@weft/workflow';
import type { ChatMessage } from '../providers/provider.types';

/** Where executors read a conversation's earlier turns (the gateway owns messages). */
export interface ConversationHistorySource {
  /** The last `limit` finished turns of the conversation, oldest first. */
  turns(workspaceId: string, conversationId: string, limit: number): Promise<ConversationTurn[]>;
}

/** A node's `memory` block, read: how many turns and how the current query is phrased. */
export interface MemorySettings {
  /** Turns to include: the window size, or DEFAULT_TURNS when the window is off (Dify then limits by tokens). */
  turns: number;
  queryPromptTemplate: string | null;
  rolePrefix: { assistant: string; user: string };
}

/** Turns fed to a node whose memory has no window; Dify bounds these by a token budget instead. */
export const DEFAULT_MEMORY_TURNS = 50;
const MAX_WINDOW = 500;

/** The node's memory settings, or null when it has none. */
export function readMemory(data: Record<string, unknown>): MemorySettings | null {
  const memory = data['memory'];
  if (!isPlainObject(memory)) return null;
  const window = isPlainObject(memory['window']) ? memory['window'] : {};
  const size = Number(window['size']);
  const turns = window['enabled'] === true && Number.isFinite(size) && size >= 1 ? Math.min(Math.floor(size), MAX_WINDOW) : DEFAULT_MEMORY_TURNS;
  const prefix = isPlainObject(memory['role_prefix']) ? memory['role_prefix'] : {};
  return {
    queryPromptTemplate: typeof memory['query_prompt_template'] === 'string' && memory['query_prompt_template'].trim() !== '' ? memory['query_prompt_template'] : null,
    rolePrefix: {
      assistant: typeof prefix['assistant'] === 'string' && prefix['assistant'] ? prefix['assistant'] : 'Assistant',
      user: typeof prefix['user'] === 'string' && prefix['user'] ? prefix['user'] : 'Human',
    },
    turns,
  };
}

/** The earlier turns of the run's conversation for a node with memory; empty outside a conversation. */
export async function loadHistory(source: ConversationHistorySource, workspaceId: string, pool: VariablePool, memory: MemorySettings | null): Promise<ConversationTurn[]> {
  if (!memory) return [];
  const conversationId = pool.get(['sys', 'conversation_id']);
  if (typeof conversationId !== 'string' || conversationId === '') return [];
  return source.turns(workspaceId, conversationId, memory.turns);
}

/** Turns as alternating user and assistant messages (a turn without an answer contributes its question only). */
export function historyMessages(turns: readonly ConversationTurn[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const turn of turns) {
    messages.push({ role: 'user', content: turn.query });
    if (turn.answer !== '') messages.push({ role: 'assistant', content: turn.answer });
  }
  return messages;
}

/** Turns as `Human: …\nAssistant: …` text for completion-mode prompts, with the node's role prefixes. */
export function historyText(turns: readonly ConversationTurn[], prefix: MemorySettings['rolePrefix']): string {
  return turns.map((t) => `${prefix.user}: ${t.query}\n${prefix.assistant}: ${t.answer}`).join('\n');
}

/**
 * The current query as the LLM node appends it after the history: the memory's query template
 * (default `{{#sys.query#}}`) rendered, or null when there is no query (a workflow app).
 */
export function currentQuery(pool: VariablePool, memory: MemorySettings): string | null {
  const query = pool.get(['sys', 'query']);
  if (memory.queryPromptTemplate) return renderTemplate(memory.queryPromptTemplate, pool);
  return typeof query === 'string' && query !== '' ? query : null;
}

/** Inserts history messages before the last user message (the node's own question), as Dify's extractor and classifier prompts do. */
export function withHistoryBeforeLastUser(messages: ChatMessage[], history: ChatMessage[]): ChatMessage[] {
  if (history.length === 0) return messages;
  let at = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      at = i;
      break;
    }
  }
  return [...messages.slice(0, at), ...history, ...messages.slice(at)];
}
