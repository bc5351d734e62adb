import { SlotWaitAborted, WorkspaceSlots } from './workspace-slots.util';

describe('WorkspaceSlots', () => {
  it('lets a workspace hold at most its share, and another workspace past its queued runs', async () => {
    const slots = new WorkspaceSlots(3, 2);
    const a1 = await slots.acquire('a');
    const a2 = await slots.acquire('a');
    const order: string[] = [];
    const a3 = slots.acquire('a').then((release) => (order.push('a3'), release));
    const b1 = slots.acquire('b').then((release) => (order.push('b1'), release));
    await b1;
    expect(order).toEqual(['b1']);
    expect(slots.load('a')).toEqual({ running: 2, waiting: 1 });
    a1();
    await a3;
    expect(order).toEqual(['b1', 'a3']);
    expect(slots.load()).toEqual({ running: 3, waiting: 0 });
    a2();
    a2();
    expect(slots.load()).toEqual({ running: 2, waiting: 0 });
  });

  it('serves waiters of the same standing in arrival order when slots free up', async () => {
    const slots = new WorkspaceSlots(1, 1);
    const first = await slots.acquire('a');
    const order: string[] = [];
    const waits = ['b', 'c', 'd'].map((ws) => slots.acquire(ws).then((release) => (order.push(ws), release())));
    first();
    await Promise.all(waits);
    expect(order).toEqual(['b', 'c', 'd']);
  });

  it('drops a waiter whose signal aborts, and refuses an already aborted one', async () => {
    const slots = new WorkspaceSlots(1, 1);
    const held = await slots.acquire('a');
    const controller = new AbortController();
    const waiting = slots.acquire('b', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(SlotWaitAborted);
    await expect(slots.acquire('b', AbortSignal.abort())).rejects.toBeInstanceOf(SlotWaitAborted);
    expect(slots.load()).toEqual({ running: 1, waiting: 0 });
    held();
    const next = await slots.acquire('c');
    expect(slots.load('c')).toEqual({ running: 1, waiting: 0 });
    next();
  });
});
