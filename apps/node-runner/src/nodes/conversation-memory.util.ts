import type { ConversationTurn, NodeJob } from '@weft/contracts';
import { renderTemplate, type MemorySettings, type VariablePool } from '@weft/workflow';
import type { ChatMessage } from '../providers/provider.types';

export { readMemory, type MemorySettings } from '@weft/workflow';

/**
 * The earlier turns of the run's conversation a node with memory reads: the orchestrator, which owns
 * conversations, sends them inside the job (already cut to the node's window); none without memory.
 */
export function jobHistory(job: NodeJob, memory: MemorySettings | null): ConversationTurn[] {
  return memory ? job.history.slice(-memory.turns) : [];
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
