/** Gives a slot back. Calling it more than once has no further effect. */
export type ReleaseSlot = () => void;

interface Waiter {
  grant: (release: ReleaseSlot) => void;
  workspaceId: string;
}

/** Thrown to a waiter whose abort signal fired before it got a slot. */
export class SlotWaitAborted extends Error {
  constructor() {
    super('Code run was aborted while waiting for a sandbox slot');
    this.name = 'SlotWaitAborted';
  }
}

/**
 * Fair sharing of the code sandbox: at most `total` runs at once, and at most `perWorkspace` of them for
 * one workspace. A waiter over its workspace's share lets later waiters of other workspaces go first; among
 * the ones allowed to go, the longest waiting goes first.
 */
export class WorkspaceSlots {
  private readonly running = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private inUse = 0;

  constructor(
    private readonly total: number,
    private readonly perWorkspace: number,
  ) {}

  acquire(workspaceId: string, signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(new SlotWaitAborted());
    if (this.mayStart(workspaceId)) return Promise.resolve(this.take(workspaceId));
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, workspaceId };
      this.waiting.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.waiting.indexOf(waiter);
          if (index < 0) return;
          this.waiting.splice(index, 1);
          reject(new SlotWaitAborted());
        },
        { once: true },
      );
    });
  }

  /** Runs executing and waiting, overall and for one workspace. */
  load(workspaceId?: string): { running: number; waiting: number } {
    if (workspaceId === undefined) return { running: this.inUse, waiting: this.waiting.length };
    return { running: this.running.get(workspaceId) ?? 0, waiting: this.waiting.filter((w) => w.workspaceId === workspaceId).length };
  }

  private mayStart(workspaceId: string): boolean {
    return this.inUse < this.total && (this.running.get(workspaceId) ?? 0) < this.perWorkspace;
  }

  private take(workspaceId: string): ReleaseSlot {
    this.inUse++;
    this.running.set(workspaceId, (this.running.get(workspaceId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const left = (this.running.get(workspaceId) ?? 1) - 1;
      if (left === 0) this.running.delete(workspaceId);
      else this.running.set(workspaceId, left);
      this.dispatch();
    };
  }

  private dispatch(): void {
    for (let index = 0; index < this.waiting.length && this.inUse < this.total;) {
      const waiter = this.waiting[index]!;
      if (!this.mayStart(waiter.workspaceId)) {
        index++;
        continue;
      }
      this.waiting.splice(index, 1);
      waiter.grant(this.take(waiter.workspaceId));
    }
  }
}
