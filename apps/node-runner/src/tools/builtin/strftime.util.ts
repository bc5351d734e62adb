// Python's datetime formatting (`strftime`, `strptime` for one format) for the time tools, in any IANA
// timezone, through Intl; Python's names and zero padding, English month and day names.

/** English day names, Sunday first (Python's `calendar.day_name` order shifted to JavaScript's `getDay`). */
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** English month names, January first. */
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The wall-clock fields of an instant in a timezone. */
export interface ZonedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
  /** The zone's abbreviation as Intl names it (`UTC`, `EST`, `GMT+9`). */
  zoneName: string;
}

/** Thrown for a timezone name the runtime does not know. */
export class InvalidTimezoneError extends Error {
  override readonly name = 'InvalidTimezoneError';
  constructor(readonly timezone: string) {
    super(`Invalid timezone: '${timezone}'`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        day: 'numeric',
        hour: 'numeric',
        hourCycle: 'h23',
        minute: 'numeric',
        month: 'numeric',
        second: 'numeric',
        timeZone: timezone,
        timeZoneName: 'short',
        year: 'numeric',
      });
    } catch {
      throw new InvalidTimezoneError(timezone);
    }
    if (formatters.size > 500) formatters.clear();
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** True for a timezone name Intl knows (IANA names, `UTC`). */
export function isValidTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of `epochMs` in `timezone`. */
export function zonedTime(epochMs: number, timezone: string): ZonedTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  const fields = {
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    month: Number(parts.month),
    second: Number(parts.second),
    year: Number(parts.year),
  };
  const millisecond = ((epochMs % 1000) + 1000) % 1000;
  const asUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, millisecond);
  return {
    ...fields,
    millisecond,
    offsetMinutes: Math.round((asUtc - epochMs) / 60_000),
    weekday: new Date(Date.UTC(fields.year, fields.month - 1, fields.day)).getUTCDay(),
    zoneName: parts.timeZoneName ?? timezone,
  };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function dayOfYear(t: ZonedTime): number {
  return Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000) + 1;
}

/** Python's `strftime` of a zoned time for the common directives; unknown ones stay as written, as glibc leaves them. */
export function strftime(t: ZonedTime, format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (match: string, directive: string) => {
    switch (directive) {
      case 'a':
        return DAY_NAMES[t.weekday].slice(0, 3);
      case 'A':
        return DAY_NAMES[t.weekday];
      case 'w':
        return String(t.weekday);
      case 'd':
        return pad(t.day);
      case 'b':
      case 'h':
        return MONTH_NAMES[t.month - 1].slice(0, 3);
      case 'B':
        return MONTH_NAMES[t.month - 1];
      case 'm':
        return pad(t.month);
      case 'y':
        return pad(t.year % 100);
      case 'Y':
        return String(t.year);
      case 'H':
        return pad(t.hour);
      case 'I':
        return pad(t.hour % 12 === 0 ? 12 : t.hour % 12);
      case 'p':
        return t.hour < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(t.minute);
      case 'S':
        return pad(t.second);
      case 'f':
        return pad(t.millisecond * 1000, 6);
      case 'z': {
        const sign = t.offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(t.offsetMinutes);
        return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
      }
      case 'Z':
        return t.zoneName;
      case 'j':
        return pad(dayOfYear(t), 3);
      case 'F':
        return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
      case 'T':
        return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
      case 'c':
        return `${DAY_NAMES[t.weekday].slice(0, 3)} ${MONTH_NAMES[t.month - 1].slice(0, 3)} ${String(t.day).padStart(2, ' ')} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)} ${t.year}`;
      case 'x':
        return `${pad(t.month)}/${pad(t.day)}/${pad(t.year % 100)}`;
      case 'X':
        return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
      case '%':
        return '%';
      default:
        return match;
    }
  });
}

/** `%Y-%m-%d %H:%M:%S` read as wall-clock fields, or undefined when the text is not that (Python's strptime for that format). */
export function parseLocalTime(
  text: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return { day, hour, minute, month, second, year };
}

/**
 * The instant at which the wall clock in `timezone` shows the given fields. In a gap (spring forward) or
 * an overlap (fall back) the earlier offset is used, as Python's `zoneinfo` does with `fold=0`.
 */
export function instantOf(
  fields: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  timezone: string,
): number {
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  const before = zonedTime(wall - 86_400_000, timezone).offsetMinutes;
  const after = zonedTime(wall + 86_400_000, timezone).offsetMinutes;
  const candidates = [...new Set([before, after])].map((offset) => wall - offset * 60_000);
  const exact = candidates.filter((instant) => {
    const t = zonedTime(instant, timezone);
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) === wall;
  });
  if (exact.length > 0) return Math.min(...exact);
  return wall - before * 60_000;
}
