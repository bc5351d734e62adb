import type { Response } from 'express';

/** Dify's keep-alive interval. */
export const SSE_PING_INTERVAL_MS = 10_000;

/**
 * A Dify-style event stream: `data: <json>` lines, a bare `event: ping` first and every 10 s, no
 * `[DONE]`; the caller ends it after the terminal event.
 */
export class SseWriter {
  private readonly ping: NodeJS.Timeout;
  private ended = false;

  constructor(private readonly res: Response) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');
    // Tells nginx not to buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('event: ping\n\n');
    this.ping = setInterval(() => {
      if (!this.res.writableEnded) this.res.write('event: ping\n\n');
    }, SSE_PING_INTERVAL_MS);
    res.on('close', () => this.stop());
  }

  /** Whether the client is still there. */
  get open(): boolean {
    return !this.ended;
  }

  send(event: unknown): void {
    if (!this.ended && !this.res.writableEnded) this.res.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.stop();
    this.res.end();
  }

  /** Runs when the client goes away or the stream ends. */
  onClose(listener: () => void): void {
    this.res.on('close', listener);
  }

  private stop(): void {
    this.ended = true;
    clearInterval(this.ping);
  }
}
