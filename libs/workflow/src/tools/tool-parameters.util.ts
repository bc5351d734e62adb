import { asList, asRecord } from '../dsl/dsl-value.util';
import { renderTemplate } from '../variables/template.util';
import type { VariablePool } from '../variables/variable-pool.util';
import type { ToolParameterSpec } from './tool.types';

/** How a tool node fills one parameter: from a variable, or from text that may hold `{{#node.var#}}` references. */
export interface ToolInput {
  type: 'variable' | 'mixed' | 'constant';
  value: unknown;
}

/** A parameter the node's data names but the run cannot fill (a `variable` input whose variable does not exist). */
export class ToolParameterError extends Error {
  override readonly name = 'ToolParameterError';
}

/**
 * A tool node's `tool_parameters` as one shape: Dify writes `{name: {type, value}}`; its earliest exports
 * wrote a list of `{variable, variable_type: selector|static, value_selector, value}`.
 */
export function toolInputs(toolParameters: unknown): Record<string, ToolInput> {
  const inputs: Record<string, ToolInput> = {};
  if (Array.isArray(toolParameters)) {
    for (const item of asList(toolParameters)) {
      const entry = asRecord(item);
      if (typeof entry.variable !== 'string') continue;
      inputs[entry.variable] =
        entry.variable_type === 'selector' ? { type: 'variable', value: entry.value_selector } : { type: 'constant', value: entry.value };
    }
    return inputs;
  }
  for (const [name, raw] of Object.entries(asRecord(toolParameters))) {
    const entry = asRecord(raw);
    const type = entry.type === 'variable' || entry.type === 'mixed' || entry.type === 'constant' ? entry.type : 'constant';
    inputs[name] = { type, value: entry.value };
  }
  return inputs;
}

/**
 * A tool node's `tool_configurations` (the `form` parameters) as inputs: plain values are constants;
 * newer exports wrap each as `{type, value}` like the parameters.
 */
export function toolConfigurationInputs(toolConfigurations: unknown): Record<string, ToolInput> {
  const inputs: Record<string, ToolInput> = {};
  for (const [name, raw] of Object.entries(asRecord(toolConfigurations))) {
    const entry = asRecord(raw);
    const wrapped = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'value' in entry && typeof entry.type === 'string';
    inputs[name] = wrapped
      ? { type: entry.type === 'variable' || entry.type === 'mixed' ? entry.type : 'constant', value: entry.value }
      : { type: 'constant', value: raw };
  }
  return inputs;
}

function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/**
 * The values of a tool node's inputs, as Dify's tool node computes them: a `variable` input is the
 * variable's value (a missing one is left out, or is an error when the parameter is required); `mixed`
 * and `constant` inputs are rendered as text templates. Configurations are applied first, so a parameter
 * set in both takes the parameter's value.
 */
export function resolveToolInputs(
  inputs: Record<string, ToolInput>,
  pool: VariablePool,
  specs: readonly ToolParameterSpec[] = [],
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(inputs)) {
    if (input.type === 'variable') {
      const selector = asList(input.value).map((part) => String(part));
      const value = selector.length >= 2 ? pool.get(selector) : undefined;
      if (value === undefined) {
        if (specs.find((spec) => spec.name === name)?.required)
          throw new ToolParameterError(`Variable ${JSON.stringify(selector)} does not exist`);
        continue;
      }
      values[name] = value;
      continue;
    }
    values[name] = renderTemplate(textOf(input.value), pool);
  }
  return values;
}

/** Python's truthiness of a parameter given as text, as Dify casts boolean tool parameters. */
function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['true', 'yes', 'y', '1'].includes(value.trim().toLowerCase());
  return false;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * The parameters a tool receives: each declared parameter cast to its type (Dify's `cast_parameter_value`:
 * booleans from "true"/"yes"/"1", numbers from text, strings from anything), defaults filled in for
 * declared parameters left out, and undeclared parameters passed as given.
 */
export function castToolParameters(values: Record<string, unknown>, specs: readonly ToolParameterSpec[]): Record<string, unknown> {
  const result: Record<string, unknown> = { ...values };
  for (const spec of specs) {
    const given = Object.hasOwn(values, spec.name) ? values[spec.name] : undefined;
    const value = given === undefined || given === '' ? spec.default : given;
    if (value === undefined) {
      delete result[spec.name];
      continue;
    }
    switch (spec.type) {
      case 'boolean':
        result[spec.name] = toBoolean(value);
        break;
      case 'number': {
        const number = toNumber(value);
        if (number === undefined) delete result[spec.name];
        else result[spec.name] = number;
        break;
      }
      case 'string':
      case 'select':
      case 'secret-input':
        result[spec.name] = textOf(value);
        break;
      default:
        result[spec.name] = value;
    }
  }
  return result;
}

/** The parameters that are missing although required, for a clear error before the tool is called. */
export function missingToolParameters(values: Record<string, unknown>, specs: readonly ToolParameterSpec[]): string[] {
  return specs.filter((spec) => spec.required && (values[spec.name] === undefined || values[spec.name] === '')).map((spec) => spec.name);
}
