import { ToolInvokeError, text, type ToolMessage } from '../tool-runtime.types';
import {
  DAY_NAMES,
  instantOf,
  InvalidTimezoneError,
  isValidTimezone,
  MONTH_NAMES,
  parseLocalTime,
  strftime,
  zonedTime,
} from './strftime.util';

// The `time` provider, as Dify's built-in of that name answers.

const TIME_FORMAT = '%Y-%m-%d %H:%M:%S';

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : fallback;
}

function zone(name: string): string {
  if (!isValidTimezone(name)) throw new ToolInvokeError(new InvalidTimezoneError(name).message);
  return name;
}

/** `current_time`: now, formatted with `format` (strftime) in `timezone`. */
export function currentTime(params: Record<string, unknown>, now = Date.now()): ToolMessage[] {
  const timezone = str(params.timezone, 'UTC');
  const format = str(params.format, '%Y-%m-%d %H:%M:%S %Z');
  if (!isValidTimezone(timezone)) return [text(`Invalid timezone: ${timezone}`)];
  return [text(strftime(zonedTime(now, timezone), format))];
}

/** `weekday`: "January 1, 2024 is Monday." */
export function weekday(params: Record<string, unknown>): ToolMessage[] {
  const year = Number(params.year);
  const month = Number(params.month);
  const day = Number(params.day);
  if (params.month === undefined || params.month === null) throw new ToolInvokeError('month is required');
  const valid =
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) && year >= 1 && month >= 1 && month <= 12 && day >= 1;
  const date = valid ? new Date(Date.UTC(2000, month - 1, day)) : undefined;
  if (date) date.setUTCFullYear(year, month - 1, day);
  if (!date || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return [text(`Invalid date: Year ${String(params.year)}, Month ${String(params.month)}, Day ${String(params.day)}.`)];
  }
  return [text(`${MONTH_NAMES[month - 1]} ${day}, ${year} is ${DAY_NAMES[date.getUTCDay()]}.`)];
}

/** `timezone_conversion`: a `%Y-%m-%d %H:%M:%S` time in one timezone, shown in another. */
export function timezoneConversion(params: Record<string, unknown>): ToolMessage[] {
  const source = zone(str(params.current_timezone, 'Asia/Shanghai'));
  const target = zone(str(params.target_timezone, 'Asia/Tokyo'));
  const fields = parseLocalTime(str(params.current_time, ''));
  if (!fields) throw new ToolInvokeError(`time data '${str(params.current_time, '')}' does not match format '${TIME_FORMAT}'`);
  return [text(strftime(zonedTime(instantOf(fields, source), target), TIME_FORMAT))];
}

/** `localtime_to_timestamp`: seconds since the epoch of a local time. */
export function localtimeToTimestamp(params: Record<string, unknown>): ToolMessage[] {
  const timezone = zone(str(params.timezone, 'UTC'));
  const fields = parseLocalTime(str(params.localtime, ''));
  if (!fields) throw new ToolInvokeError(`time data '${str(params.localtime, '')}' does not match format '${TIME_FORMAT}'`);
  return [text(String(Math.floor(instantOf(fields, timezone) / 1000)))];
}

/** `timestamp_to_localtime`: a Unix timestamp as `%Y-%m-%d %H:%M:%S` in a timezone. */
export function timestampToLocaltime(params: Record<string, unknown>): ToolMessage[] {
  const timezone = zone(str(params.timezone, 'UTC'));
  const seconds = Number(params.timestamp);
  if (!Number.isFinite(seconds)) return [text(`Invalid timestamp: ${String(params.timestamp)}`)];
  return [text(strftime(zonedTime(Math.floor(seconds * 1000), timezone), TIME_FORMAT))];
}
