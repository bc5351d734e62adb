/**
 * Groups writes issued in the same tick into one statement per kind, so a busy orchestrator makes a few
 * round trips per tick instead of one per row. Each caller's promise settles when its batch is stored:
 * durability is unchanged, only the number of round trips drops.
 */
export class WriteBatcher<T> {
  private queue: { row: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  /** Queues a row; resolves once it is written. */
  add(row: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** One write in flight at a time: rows queued meanwhile go out together in the next one. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.write(batch.map((b) => b.row));
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.scheduled = false;
  }
}
