import type { Logger } from '@nestjs/common';
import { expectEventually } from '@weft/testing';
import { LeasedJobLoop, type LeasedJobs } from './leased-job-loop.util';

/** A promise the test resolves when it wants. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Jobs from a queue, processed once `processing` lets them, with a log of what the loop did. */
function queue(ids: string[], processing: (id: string) => Promise<void> = async () => undefined) {
  const pending = [...ids];
  const log: string[] = [];
  const jobs: LeasedJobs<{ id: string }> = {
    afterPass: async () => void log.push('after'),
    claim: async () => {
      const id = pending.shift();
      log.push(id ? `claim ${id}` : 'none');
      return id ? { id } : null;
    },
    process: async (job) => {
      log.push(`start ${job.id}`);
      await processing(job.id);
      log.push(`end ${job.id}`);
    },
    renew: async (job) => void log.push(`renew ${job.id}`),
  };
  return { jobs, log, pending };
}

const logger = { error: jest.fn() } as unknown as Logger;
const options = { leaseSeconds: 60, logger, pollMs: 60_000, what: 'Test job' };

describe('LeasedJobLoop', () => {
  it('claims and processes due jobs one at a time, then runs its after-pass step once', async () => {
    const { jobs, log } = queue(['a', 'b']);
    const loop = new LeasedJobLoop(jobs, options);
    loop.start(Promise.resolve());
    await expectEventually(() => expect(log).toEqual(['claim a', 'start a', 'end a', 'claim b', 'start b', 'end b', 'none', 'after']));
    await loop.stop();
  });

  it("renews a job's lease every third of its length while the job is processed, and not after", async () => {
    let renewals = 0;
    const thirdRenewal = gate();
    const { jobs, log } = queue(['slow'], () => thirdRenewal.opened);
    const renew = jobs.renew;
    jobs.renew = async (job) => {
      renewals += 1;
      if (renewals === 3) thirdRenewal.open();
      return renew(job);
    };
    // A lease of 60 ms: renewed every 20 ms; the job ends at its third renewal.
    const loop = new LeasedJobLoop(jobs, { ...options, leaseSeconds: 0.06 });
    loop.kick();
    await expectEventually(() => expect(log).toContain('end slow'));
    const atEnd = renewals;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(renewals).toBe(atEnd);
    expect(log.lastIndexOf('renew slow')).toBeLessThan(log.indexOf('end slow'));
    await loop.stop();
  });

  it('runs another pass after the one under way when kicked meanwhile (a request arriving mid-pass)', async () => {
    const first = gate();
    const q = queue(['a'], (id) => (id === 'a' ? first.opened : Promise.resolve()));
    const loop = new LeasedJobLoop(q.jobs, options);
    loop.kick();
    await expectEventually(() => expect(q.log).toEqual(['claim a', 'start a']));
    q.pending.push('b');
    loop.kick();
    loop.kick();
    first.open();
    await expectEventually(() =>
      expect(q.log).toEqual(['claim a', 'start a', 'end a', 'claim b', 'start b', 'end b', 'none', 'after', 'none', 'after']),
    );
    await loop.stop();
  });

  it('stops: waits for the job under way, claims nothing more, ignores kicks', async () => {
    const first = gate();
    const q = queue(['a', 'b'], () => first.opened);
    const loop = new LeasedJobLoop(q.jobs, options);
    loop.kick();
    await expectEventually(() => expect(q.log).toEqual(['claim a', 'start a']));
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    first.open();
    await stopping;
    expect(loop.stopped).toBe(true);
    expect(q.log).toEqual(['claim a', 'start a', 'end a']);
    loop.kick();
    loop.start(Promise.resolve());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(q.log).toEqual(['claim a', 'start a', 'end a']);
  });

  it('logs a pass that fails (the database away) and keeps going at the next kick', async () => {
    let calls = 0;
    const jobs: LeasedJobs<{ id: string }> = {
      claim: async () => {
        calls += 1;
        if (calls === 1) throw new Error('connection refused');
        return null;
      },
      process: async () => undefined,
      renew: async () => undefined,
    };
    const loop = new LeasedJobLoop(jobs, options);
    loop.kick();
    await expectEventually(() => expect(logger.error).toHaveBeenCalledWith(expect.anything(), 'Test job work failed: connection refused'));
    loop.kick();
    await expectEventually(() => expect(calls).toBe(2));
    await loop.stop();
  });
});
