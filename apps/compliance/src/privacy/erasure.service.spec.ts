import { retryDelayMs } from './erasure.service';

describe('erasure saga helpers', () => {
  it('waits 1 s before the second attempt, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});
