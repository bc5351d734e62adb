import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { METRIC } from './metric-names';

/** How many messages wait, stored but not yet delivered, for one durable JetStream consumer. */
export interface ConsumerBacklog {
  consumer: string;
  pending: number;
  stream: string;
}

/** Reads the backlogs of the consumers a process takes from; called on every scrape. */
export type BacklogReader = () => Promise<ConsumerBacklog[]>;

// prom-client's registry is per process, and so is this list: every message bus of the process adds its reader.
const readers = new Set<BacklogReader>();

/** Adds a reader whose consumers the backlog gauge reports on each scrape; returns the function that removes it. */
export function addBacklogReader(reader: BacklogReader): () => void {
  readers.add(reader);
  return () => readers.delete(reader);
}

/** Sets the gauge from every reader at once; a reader that fails leaves its consumers out rather than stale. */
export async function collectBacklogs(gauge: Gauge<'stream' | 'consumer'>): Promise<void> {
  const backlogs = await Promise.all([...readers].map((read) => read().catch(() => [] as ConsumerBacklog[])));
  gauge.reset();
  for (const { consumer, pending, stream } of backlogs.flat()) gauge.set({ consumer, stream }, pending);
}

/** `weft_jetstream_backlog_messages{stream,consumer}`, read from JetStream consumer info when Prometheus scrapes. */
export const jetStreamBacklogProvider = makeGaugeProvider({
  name: METRIC.jetStreamBacklog,
  help: 'Messages stored in a JetStream stream and not yet delivered to its durable consumer (num_pending), per stream and consumer',
  labelNames: ['stream', 'consumer'],
  async collect(this: Gauge<'stream' | 'consumer'>) {
    await collectBacklogs(this);
  },
});
