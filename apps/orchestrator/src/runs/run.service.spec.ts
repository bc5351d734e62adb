import { gatedUntil } from './run.service';

describe('gatedUntil', () => {
  it('holds items until the gate opens, then passes them in order and everything after straight through', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const seen: number[] = [];
    const sink = gatedUntil<number>(gate, (n) => seen.push(n));
    sink(1);
    sink(2);
    await Promise.resolve();
    expect(seen).toEqual([]);
    open();
    await gate;
    await Promise.resolve();
    sink(3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('drops everything when the gate rejects (another start stored the run)', async () => {
    let fail!: (e: Error) => void;
    const gate = new Promise<void>((_resolve, reject) => (fail = reject));
    const seen: number[] = [];
    const sink = gatedUntil<number>(gate, (n) => seen.push(n));
    sink(1);
    fail(new Error('duplicate'));
    await gate.catch(() => undefined);
    await Promise.resolve();
    sink(2);
    expect(seen).toEqual([]);
  });
});
