import {
  MAX_METADATA_CONDITIONS,
  METADATA_COMPARISON_OPERATORS,
  METADATA_OPERATOR_ALIASES,
  MetadataComparisonOperator,
  RetrievalParamError,
} from './retrieval-model.types';

// Dify's metadata filter conditions as a Postgres WHERE fragment over a jsonb column holding each
// document's metadata (`{"author": "Ada", "year": 2024, "upload_date": 1717171717}`).
//
// Every name and value is a bind parameter; the only text put into the SQL is the column (checked
// to be a plain identifier) and constants of this file.
//
// Semantics, where Dify's SQL leaves room:
// - Text operators (contains, start with, end with, is, in) compare `metadata ->> name`, the value as
//   text, case-sensitively as Dify's LIKE does. A document without the field never matches them.
// - "not contains" and "not in" also match documents without the field; "is not" and "≠" do not
//   (they need a value to differ), as Weft's if-else conditions treat a missing value.
// - Numbers (=, ≠, >, <, ≥, ≤, and "is"/"is not" with a number) compare numerically; a stored value
//   that is not a number (in JSON or as numeric text) never matches, instead of failing the query as
//   Dify's `CAST(... AS FLOAT)` does.
// - before/after compare times as Unix epoch seconds, the way Dify stores time fields
//   (`upload_date`, `last_update_date`, fields of type "time"). The value may be epoch seconds or an
//   ISO 8601 date or date-time (UTC when no offset is given).
// - empty: the field is missing, JSON null, or the empty string; not empty: anything else.
// - A condition whose value is null or missing is skipped, as Dify skips it (empty/not empty need none).

/** A parameterized SQL fragment: `sql` refers to `params` as $n, numbered from the index asked for. */
export interface SqlFragment {
  params: unknown[];
  sql: string;
}

/** Options of `buildMetadataFilter`. */
export interface MetadataFilterOptions {
  /** The jsonb column, optionally qualified (`d.metadata`); default `metadata`. */
  column?: string;
  /** The number of the first placeholder, so the fragment can join a larger query; default 1. */
  firstParameterIndex?: number;
}

/** The filter as Dify sends it; checked at run time, since it may come from an unvalidated DSL. */
export interface MetadataFilterInput {
  conditions?: readonly unknown[] | null;
  logical_operator?: string | null;
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
// Numeric text Postgres can cast to numeric; the exponent is bounded so the cast cannot overflow.
const NUMERIC_TEXT = /^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$/;
const NUMERIC_TEXT_SQL = "'^[[:space:]]*[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]{1,3})?[[:space:]]*$'";
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;

type Value = string | number | readonly (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new RetrievalParamError(`Invalid metadata_filtering_conditions: ${message}`);
}

function toOperator(raw: unknown, index: number): MetadataComparisonOperator {
  const name = typeof raw === 'string' && raw in METADATA_OPERATOR_ALIASES ? METADATA_OPERATOR_ALIASES[raw] : raw;
  if (typeof name !== 'string' || !(METADATA_COMPARISON_OPERATORS as readonly string[]).includes(name)) {
    fail(`conditions[${index}].comparison_operator ${JSON.stringify(raw) ?? String(raw)} is not supported`);
  }
  return name as MetadataComparisonOperator;
}

function toName(raw: unknown, index: number): string {
  if (typeof raw !== 'string' || raw.trim() === '') fail(`conditions[${index}].name must be a non-empty string`);
  if (Array.from(raw).length > 255) fail(`conditions[${index}].name cannot exceed 255 characters`);
  if (CONTROL_CHARACTERS.test(raw)) fail(`conditions[${index}].name contains control characters`);
  return raw;
}

function toValue(raw: unknown, index: number): Value | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) fail(`conditions[${index}].value must be a finite number`);
    return raw;
  }
  if (Array.isArray(raw)) {
    for (const item of raw as unknown[]) {
      if (typeof item !== 'string' && !(typeof item === 'number' && Number.isFinite(item)))
        fail(`conditions[${index}].value must hold only strings and numbers`);
    }
    return raw as (string | number)[];
  }
  fail(`conditions[${index}].value must be a string, a number or a list of them`);
}

function numericText(value: Value, index: number, operator: string): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) return value.trim();
  fail(`conditions[${index}].value must be a number for "${operator}"`);
}

/** Epoch seconds of a time value, as text for a numeric parameter. */
function epochSecondsText(value: Value, index: number, operator: string): string {
  if (typeof value === 'number' || (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())))
    return numericText(value, index, operator);
  const match = typeof value === 'string' ? ISO_DATE.exec(value.trim()) : null;
  if (!match) fail(`conditions[${index}].value must be epoch seconds or an ISO 8601 date for "${operator}"`);
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const millis = Date.parse(iso);
  // Date.parse rolls 2024-02-30 over to March; a date that does not round-trip is not a date.
  const roundTrip = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).toISOString().slice(0, 10);
  if (Number.isNaN(millis) || roundTrip !== `${year}-${month}-${day}` || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    fail(`conditions[${index}].value ${JSON.stringify(value)} is not a valid date`);
  }
  return String(millis / 1000);
}

/** A list value: arrays as they are, a string as comma-separated items (trimmed, empty ones dropped), as Dify reads it. */
function listItems(value: Value): string[] {
  const items = Array.isArray(value) ? value.map((item) => String(item)) : String(value).split(',');
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * Translates Dify's `metadata_filtering_conditions` into a WHERE fragment over a jsonb column, its
 * values as parameters numbered from `firstParameterIndex`. No conditions (or only skipped ones) give
 * `TRUE`. Throws a `RetrievalParamError` (400 `invalid_param`) for an unknown operator, a bad name, a
 * value of the wrong kind, or more than 100 conditions.
 */
export function buildMetadataFilter(filter: MetadataFilterInput | null | undefined, options: MetadataFilterOptions = {}): SqlFragment {
  const column = options.column ?? 'metadata';
  if (!COLUMN.test(column)) throw new RangeError(`Invalid metadata column: ${JSON.stringify(column)}`);
  const first = options.firstParameterIndex ?? 1;
  if (!Number.isInteger(first) || first < 1) throw new RangeError(`Invalid first parameter index: ${String(first)}`);
  if (filter === null || filter === undefined) return { params: [], sql: 'TRUE' };
  if (!isRecord(filter)) fail('must be an object');

  const logical = filter.logical_operator ?? 'and';
  if (logical !== 'and' && logical !== 'or') fail(`logical_operator ${JSON.stringify(logical)} must be "and" or "or"`);
  const conditions = filter.conditions ?? [];
  if (!Array.isArray(conditions)) fail('conditions must be a list');
  if (conditions.length > MAX_METADATA_CONDITIONS) fail(`at most ${MAX_METADATA_CONDITIONS} conditions are allowed`);

  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const clauses: string[] = [];
  conditions.forEach((condition: unknown, index) => {
    if (!isRecord(condition)) fail(`conditions[${index}] must be an object`);
    const operator = toOperator(condition.comparison_operator, index);
    const name = toName(condition.name, index);
    const value = toValue(condition.value, index);
    if (value === null && operator !== 'empty' && operator !== 'not empty') return;

    // Bound on first use: Postgres rejects a parameter the statement never refers to.
    let namePlaceholder: string | null = null;
    const field = (): string => `(${column} ->> ${(namePlaceholder ??= bind(name))}::text)`;
    const asNumber = (): string => `(CASE WHEN ${field()} ~ ${NUMERIC_TEXT_SQL} THEN ${field()}::numeric END)`;
    const text = (): string => {
      if (Array.isArray(value)) fail(`conditions[${index}].value must be a single value for "${operator}"`);
      return `${bind(String(value))}::text`;
    };
    const number = (): string => `${bind(numericText(value as Value, index, operator))}::numeric`;
    switch (operator) {
      case 'contains':
        clauses.push(`strpos(${field()}, ${text()}) > 0`);
        break;
      case 'not contains':
        clauses.push(`(${field()} IS NULL OR strpos(${field()}, ${text()}) = 0)`);
        break;
      case 'start with':
        clauses.push(`starts_with(${field()}, ${text()})`);
        break;
      case 'end with': {
        const subject = field();
        const suffix = text();
        clauses.push(`right(${subject}, char_length(${suffix})) = ${suffix}`);
        break;
      }
      case 'is':
        clauses.push(typeof value === 'number' ? `${asNumber()} = ${number()}` : `${field()} = ${text()}`);
        break;
      case 'is not':
        clauses.push(typeof value === 'number' ? `${asNumber()} <> ${number()}` : `${field()} <> ${text()}`);
        break;
      case 'empty':
        clauses.push(`COALESCE(${field()}, '') = ''`);
        break;
      case 'not empty':
        clauses.push(`COALESCE(${field()}, '') <> ''`);
        break;
      case 'in':
      case 'not in': {
        const items = listItems(value as Value);
        if (items.length === 0) clauses.push(operator === 'in' ? 'FALSE' : 'TRUE');
        else if (operator === 'in') clauses.push(`${field()} = ANY(${bind(items)}::text[])`);
        else clauses.push(`(${field()} IS NULL OR NOT (${field()} = ANY(${bind(items)}::text[])))`);
        break;
      }
      case '=':
        clauses.push(`${asNumber()} = ${number()}`);
        break;
      case '≠':
        clauses.push(`${asNumber()} <> ${number()}`);
        break;
      case '>':
        clauses.push(`${asNumber()} > ${number()}`);
        break;
      case '<':
        clauses.push(`${asNumber()} < ${number()}`);
        break;
      case '≥':
        clauses.push(`${asNumber()} >= ${number()}`);
        break;
      case '≤':
        clauses.push(`${asNumber()} <= ${number()}`);
        break;
      case 'before':
      case 'after':
        clauses.push(
          `${asNumber()} ${operator === 'before' ? '<' : '>'} ${bind(epochSecondsText(value as Value, index, operator))}::numeric`,
        );
        break;
      default: {
        const unhandled: never = operator;
        fail(`operator ${String(unhandled)} is not supported`);
      }
    }
  });
  if (clauses.length === 0) return { params: [], sql: 'TRUE' };
  const joined = clauses.map((clause) => `(${clause})`).join(logical === 'and' ? ' AND ' : ' OR ');
  return { params, sql: clauses.length === 1 ? joined : `(${joined})` };
}
