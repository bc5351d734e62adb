import { createHash } from 'node:crypto';
import { endUserHash, retryDelayMs } from './erasure.service';

describe('erasure saga helpers', () => {
  it('waits 1 s before the second attempt, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("names an end user by the same pseudonym the gateway's audit records use (SHA-256 of workspace id and user string)", () => {
    expect(endUserHash('w1', 'ada@example.com')).toBe(createHash('sha256').update('w1\u0000ada@example.com').digest('hex'));
    expect(endUserHash('w2', 'ada@example.com')).not.toBe(endUserHash('w1', 'ada@example.com'));
  });
});
