import { effectiveMaxActive, effectiveRatePerMinute, retryAfterSeconds } from './rate-limit.util';

describe('effectiveRatePerMinute', () => {
  it("is the app's own setting, else the configured default", () => {
    expect(effectiveRatePerMinute({ maxActiveRequests: null, rateLimitPerMinute: 7 }, 100)).toBe(7);
    expect(effectiveRatePerMinute({ maxActiveRequests: null, rateLimitPerMinute: 500 }, 100)).toBe(500);
    expect(effectiveRatePerMinute({ maxActiveRequests: null, rateLimitPerMinute: null }, 100)).toBe(100);
  });
});

describe('effectiveMaxActive (Dify: the smaller limit, 0 meaning none)', () => {
  it.each([
    [null, 0, 0],
    [0, 0, 0],
    [3, 0, 3],
    [null, 10, 10],
    [0, 10, 10],
    [3, 10, 3],
    [30, 10, 10],
  ] as const)('app %p with APP_MAX_ACTIVE_REQUESTS %p gives %p', (app, configured, expected) => {
    expect(effectiveMaxActive({ maxActiveRequests: app, rateLimitPerMinute: null }, configured)).toBe(expected);
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(59_999)).toBe(60);
  });
});
