import { CodeOutputDeclarations, CodeOutputLimits, CodeOutputsCheck } from './sandbox.types';

/** Dify's defaults for the CODE_MAX_* / CODE_MIN_NUMBER settings. */
export const DEFAULT_CODE_OUTPUT_LIMITS: CodeOutputLimits = {
  maxDepth: 5,
  // Dify's bounds are ±(2^63 - 1); as doubles these round to ±2^63.
  maxNumber: 2 ** 63,
  maxNumberArrayLength: 1000,
  maxObjectArrayLength: 30,
  maxPrecision: 20,
  maxStringArrayLength: 30,
  maxStringLength: 400_000,
  minNumber: -(2 ** 63),
};

class OutputError extends Error {}

type Json = Record<string, unknown>;

/**
 * Checks a code node's result against its declared outputs the way Dify's code node does: every declared
 * output must be present with its type (null is accepted for any type), undeclared keys are an error,
 * strings, arrays, numbers and nesting are limited, and NUL characters are removed from declared strings.
 * Unlike Dify, `boolean` outputs are type-checked and numbers must be finite.
 */
export function checkCodeOutputs(
  result: Record<string, unknown>,
  outputs: CodeOutputDeclarations,
  limits: Partial<CodeOutputLimits> = {},
): CodeOutputsCheck {
  const checker = new OutputChecker({ ...DEFAULT_CODE_OUTPUT_LIMITS, ...limits });
  try {
    return { ok: true, outputs: checker.declared(result, outputs, '', 1) };
  } catch (error) {
    if (error instanceof OutputError) return { ok: false, error: error.message };
    throw error;
  }
}

class OutputChecker {
  constructor(private readonly limits: CodeOutputLimits) {}

  declared(result: Json, schema: CodeOutputDeclarations, prefix: string, depth: number): Json {
    this.checkDepth(depth);
    const checked: Json = {};
    for (const [name, declaration] of Object.entries(schema)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (!Object.prototype.hasOwnProperty.call(result, name)) throw new OutputError(`Output ${path} is missing.`);
      const value = result[name];
      checked[name] = value === null || value === undefined ? null : this.typed(value, declaration, path, depth);
    }
    const undeclared = Object.keys(result).filter((key) => !Object.prototype.hasOwnProperty.call(schema, key));
    if (undeclared.length > 0) {
      throw new OutputError(
        `Not all output parameters are validated: ${undeclared.join(', ')} ${undeclared.length === 1 ? 'is' : 'are'} not declared.`,
      );
    }
    return checked;
  }

  private typed(value: unknown, declaration: CodeOutputDeclarations[string], path: string, depth: number): unknown {
    switch (declaration.type) {
      case 'string':
        if (typeof value !== 'string') throw new OutputError(`Output ${path} must be a string, got ${typeName(value)} instead.`);
        return this.string(value, path);
      case 'number':
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value !== 'number') throw new OutputError(`Output ${path} is not a number, got ${typeName(value)} instead.`);
        return this.number(value, path);
      case 'boolean':
        if (typeof value !== 'boolean') throw new OutputError(`Output ${path} is not a boolean, got ${typeName(value)} instead.`);
        return value;
      case 'object':
        if (!isObject(value)) throw new OutputError(`Output ${path} is not an object, got ${typeName(value)} instead.`);
        return this.object(value, declaration.children, path, depth + 1);
      case 'array[string]':
        return this.array(value, path, this.limits.maxStringArrayLength).map((item, i) => {
          if (item === null || item === undefined) return null;
          if (typeof item !== 'string') throw new OutputError(`Output ${path}[${i}] must be a string, got ${typeName(item)} instead.`);
          return this.string(item, `${path}[${i}]`);
        });
      case 'array[number]':
        return this.array(value, path, this.limits.maxNumberArrayLength).map((item, i) => {
          if (typeof item === 'boolean') return item ? 1 : 0;
          if (typeof item !== 'number') throw new OutputError(`The element at index ${i} of output variable \`${path}\` must be a number.`);
          return this.number(item, `${path}[${i}]`);
        });
      case 'array[boolean]':
        return this.array(value, path, Number.POSITIVE_INFINITY).map((item, i) => {
          if (item === null || item === undefined) return null;
          if (typeof item !== 'boolean') throw new OutputError(`Output ${path}[${i}] is not a boolean, got ${typeName(item)} instead.`);
          return item;
        });
      case 'array[object]':
        return this.array(value, path, this.limits.maxObjectArrayLength).map((item, i) => {
          if (item === null || item === undefined) return null;
          if (!isObject(item)) throw new OutputError(`Output ${path}[${i}] is not an object, got ${typeName(item)} instead at index ${i}.`);
          return this.object(item, declaration.children, `${path}[${i}]`, depth + 1);
        });
      case 'array':
        this.array(value, path, Number.POSITIVE_INFINITY);
        this.untypedList(value as unknown[], path, depth);
        return value;
      default:
        throw new OutputError(`Output type ${String((declaration as { type: unknown }).type)} is not supported.`);
    }
  }

  private object(value: Json, children: CodeOutputDeclarations | null | undefined, path: string, depth: number): Json {
    if (children) return this.declared(value, children, path, depth);
    this.untypedObject(value, path, depth);
    return value;
  }

  /** Without declared children Dify still checks every nested value, but leaves the object as it is. */
  private untypedObject(value: Json, prefix: string, depth: number): void {
    this.checkDepth(depth);
    for (const [name, item] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (item === null || item === undefined || typeof item === 'boolean') continue;
      if (typeof item === 'number') this.number(item, path);
      else if (typeof item === 'string') this.string(item, path);
      else if (Array.isArray(item)) this.untypedList(item, path, depth);
      else if (isObject(item)) this.untypedObject(item, path, depth + 1);
      else throw new OutputError(`Output ${path} is not a valid type.`);
    }
  }

  private untypedList(items: unknown[], path: string, depth: number): void {
    const first = items[0];
    if (first === null || first === undefined) return;
    const same = (test: (item: unknown) => boolean) => items.every((item) => item === null || item === undefined || test(item));
    if (typeof first === 'number' && same((item) => typeof item === 'number')) {
      items.forEach((item, i) => item !== null && item !== undefined && this.number(item as number, `${path}[${i}]`));
    } else if (typeof first === 'string' && same((item) => typeof item === 'string')) {
      items.forEach((item, i) => item !== null && item !== undefined && this.string(item as string, `${path}[${i}]`));
    } else if (typeof first === 'boolean' && same((item) => typeof item === 'boolean')) {
      return;
    } else if (isObject(first) && same(isObject)) {
      items.forEach((item, i) => item !== null && item !== undefined && this.untypedObject(item as Json, `${path}[${i}]`, depth + 1));
    } else if (Array.isArray(first) && same(Array.isArray)) {
      items.forEach((item, i) => item !== null && item !== undefined && this.untypedList(item as unknown[], `${path}[${i}]`, depth + 1));
    } else {
      throw new OutputError(`Output ${path} is not a valid array. make sure all elements are of the same type.`);
    }
  }

  private array(value: unknown, path: string, maxLength: number): unknown[] {
    if (!Array.isArray(value)) throw new OutputError(`Output ${path} is not an array, got ${typeName(value)} instead.`);
    if (value.length > maxLength) {
      throw new OutputError(`The length of output variable \`${path}\` must be less than ${maxLength} elements.`);
    }
    return value;
  }

  private string(value: string, path: string): string {
    if (value.length > this.limits.maxStringLength) {
      throw new OutputError(`The length of output variable \`${path}\` must be less than ${this.limits.maxStringLength} characters`);
    }
    return value.replaceAll('\u0000', '');
  }

  private number(value: number, path: string): number {
    if (!Number.isFinite(value)) throw new OutputError(`Output variable \`${path}\` must be a finite number, got ${value}.`);
    if (value > this.limits.maxNumber || value < this.limits.minNumber) {
      throw new OutputError(
        `Output variable \`${path}\` is out of range, it must be between ${this.limits.minNumber} and ${this.limits.maxNumber}.`,
      );
    }
    if (decimalPlaces(value) > this.limits.maxPrecision) {
      throw new OutputError(`Output variable \`${path}\` has too high precision, it must be less than ${this.limits.maxPrecision} digits.`);
    }
    return value;
  }

  private checkDepth(depth: number): void {
    if (depth > this.limits.maxDepth) throw new OutputError(`Depth limit ${this.limits.maxDepth} reached, object too deep.`);
  }
}

/** Decimal places in the shortest representation of a number, as Dify counts them for floats ("1e-7" has 7). */
function decimalPlaces(value: number): number {
  if (Number.isInteger(value)) return 0;
  const [mantissa, exponent = '0'] = String(value).split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
