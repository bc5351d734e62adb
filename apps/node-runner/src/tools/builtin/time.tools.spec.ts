import { ToolInvokeError } from '../tool-runtime.types';
import { instantOf, parseLocalTime, strftime, zonedTime } from './strftime.util';
import { currentTime, localtimeToTimestamp, timestampToLocaltime, timezoneConversion, weekday } from './time.tools';

const textOf = (messages: { type: string; text?: string }[]): string => messages.map((m) => m.text ?? '').join('');

// 2024-03-10 06:30:05.123 UTC: a Sunday, and the morning New York moves its clocks forward.
const INSTANT = Date.UTC(2024, 2, 10, 6, 30, 5, 123);

describe('strftime', () => {
  it('writes the directives as Python does, in the given timezone', () => {
    const t = zonedTime(INSTANT, 'Asia/Tokyo');
    expect(strftime(t, '%Y-%m-%d %H:%M:%S')).toBe('2024-03-10 15:30:05');
    expect(strftime(t, '%a %A %b %B %d %j %I%p %y %z %%')).toBe('Sun Sunday Mar March 10 070 03PM 24 +0900 %');
    expect(strftime(zonedTime(INSTANT, 'UTC'), '%H:%M:%S.%f %Z')).toBe('06:30:05.123000 UTC');
    expect(strftime(zonedTime(Date.UTC(2024, 0, 15), 'America/St_Johns'), '%z')).toBe('-0330');
    expect(strftime(zonedTime(INSTANT, 'America/St_Johns'), '%z')).toBe('-0230');
  });

  it('reads %Y-%m-%d %H:%M:%S and refuses anything else', () => {
    expect(parseLocalTime('2024-02-29 23:59:59')).toEqual({ day: 29, hour: 23, minute: 59, month: 2, second: 59, year: 2024 });
    expect(parseLocalTime('2023-02-29 10:00:00')).toBeUndefined();
    expect(parseLocalTime('2024-02-01T10:00:00')).toBeUndefined();
  });

  it('finds the instant of a wall-clock time, taking the earlier offset in a gap', () => {
    expect(instantOf({ day: 10, hour: 12, minute: 0, month: 3, second: 0, year: 2024 }, 'Europe/Berlin')).toBe(Date.UTC(2024, 2, 10, 11));
    // 02:30 does not exist in New York on 2024-03-10; zoneinfo with fold=0 reads it with the earlier offset (EST).
    expect(instantOf({ day: 10, hour: 2, minute: 30, month: 3, second: 0, year: 2024 }, 'America/New_York')).toBe(
      Date.UTC(2024, 2, 10, 7, 30),
    );
  });
});

describe('time tools', () => {
  it('current_time formats now in the timezone, and names a bad timezone', () => {
    expect(textOf(currentTime({ format: '%Y-%m-%d %H:%M', timezone: 'Asia/Kolkata' }, INSTANT))).toBe('2024-03-10 12:00');
    expect(textOf(currentTime({}, INSTANT))).toBe('2024-03-10 06:30:05 UTC');
    expect(textOf(currentTime({ timezone: 'Mars/Olympus' }, INSTANT))).toBe('Invalid timezone: Mars/Olympus');
  });

  it('weekday names the day, and says so for a date that does not exist', () => {
    expect(textOf(weekday({ day: 1, month: 1, year: 2024 }))).toBe('January 1, 2024 is Monday.');
    expect(textOf(weekday({ day: 31, month: 2, year: 2024 }))).toBe('Invalid date: Year 2024, Month 2, Day 31.');
    expect(() => weekday({ day: 1, year: 2024 })).toThrow(ToolInvokeError);
  });

  it('timezone_conversion converts between zones and refuses unknown zones and malformed times', () => {
    expect(
      textOf(timezoneConversion({ current_time: '2024-07-01 09:00:00', current_timezone: 'Europe/London', target_timezone: 'Asia/Tokyo' })),
    ).toBe('2024-07-01 17:00:00');
    expect(() =>
      timezoneConversion({ current_time: '2024-07-01 09:00:00', current_timezone: 'Nowhere/Land', target_timezone: 'UTC' }),
    ).toThrow("Invalid timezone: 'Nowhere/Land'");
    expect(() => timezoneConversion({ current_time: 'yesterday', current_timezone: 'UTC', target_timezone: 'UTC' })).toThrow(
      ToolInvokeError,
    );
  });

  it('converts between local times and timestamps both ways', () => {
    expect(textOf(localtimeToTimestamp({ localtime: '2024-01-01 08:00:00', timezone: 'Asia/Shanghai' }))).toBe('1704067200');
    expect(textOf(timestampToLocaltime({ timestamp: 1704067200, timezone: 'America/New_York' }))).toBe('2023-12-31 19:00:00');
    expect(textOf(timestampToLocaltime({ timestamp: 'soon', timezone: 'UTC' }))).toBe('Invalid timestamp: soon');
  });
});
