import { Logger } from '@nestjs/common';
import type { DatabaseService } from '@weft/persistence';
import type { DataRetentionService } from './data-retention.service';
import { RetentionScheduler } from './retention-scheduler.service';
import type { RetentionSettings } from './retention.types';
import type { RunArchiveService } from './run-archive.service';

const settings: RetentionSettings = {
  archiveAfterDays: 90,
  archiveBatchPauseMs: 0,
  archiveBatchSize: 1000,
  dataRetentionDays: 2557,
  intervalMinutes: 60,
};

function setup(archive: () => Promise<unknown>, retention: () => Promise<unknown>) {
  const calls: string[] = [];
  const jobs = {
    archive: { archiveOnce: jest.fn(async () => (calls.push('archive'), archive())), stop: jest.fn() },
    retention: { deleteExpiredOnce: jest.fn(async () => (calls.push('retention'), retention())), stop: jest.fn() },
  };
  const db = { whenReady: () => Promise.resolve() } as unknown as DatabaseService;
  const scheduler = new RetentionScheduler(
    db,
    jobs.archive as unknown as RunArchiveService,
    jobs.retention as unknown as DataRetentionService,
    settings,
  );
  return { calls, jobs, scheduler };
}

describe('RetentionScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs the archive job, then the retention job, first within two minutes of start and then every interval', async () => {
    const { calls, scheduler } = setup(
      async () => null,
      async () => null,
    );
    scheduler.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(59_000);
    expect(calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(61_000);
    expect(calls).toEqual(['archive', 'retention']);
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(calls).toEqual(['archive', 'retention', 'archive', 'retention']);
    await scheduler.onApplicationShutdown();
  });

  it('still deletes expired data when archiving fails, and starts no run while one is going', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const { calls, jobs, scheduler } = setup(
      async () => {
        throw new Error('boom');
      },
      () => slow,
    );
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    scheduler.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(calls).toEqual(['archive', 'retention']);
    expect(logged).toHaveBeenCalledWith(expect.anything(), 'Run archiving failed: boom');
    // The retention job is still going when the next tick comes: that tick does nothing.
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(calls).toEqual(['archive', 'retention']);
    const stopped = scheduler.onApplicationShutdown();
    expect(jobs.archive.stop).toHaveBeenCalled();
    expect(jobs.retention.stop).toHaveBeenCalled();
    release();
    await stopped;
    logged.mockRestore();
  });
});
