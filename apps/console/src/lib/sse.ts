// Server-sent events read with fetch (EventSource cannot send the Authorization header).
import { api } from '../api';

export interface StreamEvent {
  event: string;
  task_id?: string;
  workflow_run_id?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Parses complete `data:` blocks out of `buffer`; answers the events and what is left over. */
export function parseSse(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (!data) continue;
    try {
      const parsed = JSON.parse(data) as StreamEvent;
      if (parsed && typeof parsed.event === 'string') events.push(parsed);
    } catch {
      // A block that is not JSON (a comment, a keep-alive) carries nothing for the page.
    }
  }
  return { events, rest };
}

/** Reads `path`'s events until the stream ends or `signal` aborts; each event goes to `onEvent`. */
export async function followEvents(path: string, signal: AbortSignal, onEvent: (e: StreamEvent) => void): Promise<void> {
  const response = await api.stream(path, signal);
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const parsed = parseSse(buffer);
      buffer = parsed.rest;
      for (const e of parsed.events) onEvent(e);
    }
  } finally {
    reader.releaseLock();
  }
}
