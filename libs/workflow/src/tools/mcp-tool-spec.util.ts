import { z } from 'zod';
import type { ToolParameterSpec, ToolParameterType, ToolSpec } from './tool.types';

/**
 * A tool of an MCP server as Weft stores it (what `tools/list` answered): the gateway keeps the list with
 * the provider; node runners and the console read it back through this schema.
 */
export const McpStoredToolSchema = z
  .object({
    description: z.string().nullish(),
    inputSchema: z.record(z.string(), z.unknown()).default({}),
    name: z.string().min(1),
    outputSchema: z.record(z.string(), z.unknown()).nullish(),
    title: z.string().nullish(),
  })
  .passthrough();

/** A stored MCP tool. */
export type McpStoredTool = z.infer<typeof McpStoredToolSchema>;

/** The stored tools of a provider's settings, skipping entries that are not tools. */
export function mcpStoredTools(value: unknown): McpStoredTool[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const parsed = McpStoredToolSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

// JSON Schema types as Dify's tool parameter types: integers and floats are numbers.
const TYPES: Record<string, ToolParameterType> = {
  array: 'array',
  boolean: 'boolean',
  float: 'number',
  integer: 'number',
  number: 'number',
  object: 'object',
  string: 'string',
};

/**
 * A property's parameter type, as Dify reads it (`type`, the first of a list, `string` when absent), except
 * that `null` in a list of types is passed over and an `anyOf`/`oneOf` (how optional fields are often
 * written) is read for its first branch that is not `null`.
 */
function parameterType(property: Record<string, unknown>): ToolParameterType {
  const declared = property.type;
  const types = Array.isArray(declared) ? declared : declared === undefined ? [] : [declared];
  const first = types.find((type) => type !== 'null');
  if (typeof first === 'string') return TYPES[first] ?? 'string';
  for (const key of ['anyOf', 'oneOf']) {
    const branches = Array.isArray(property[key]) ? (property[key] as unknown[]) : [];
    for (const branch of branches) {
      const type = asRecord(branch).type;
      if (typeof type === 'string' && type !== 'null') return TYPES[type] ?? 'string';
    }
  }
  return 'string';
}

/**
 * The parameters of an MCP tool from its input JSON Schema, as Dify maps them: one `llm` parameter per
 * top-level property, required when the schema lists it, typed string/number/boolean/array/object. Each
 * keeps its property schema (items, enums, nested fields) for an agent's function definition.
 */
export function mcpToolParameters(inputSchema: Record<string, unknown>): ToolParameterSpec[] {
  const properties = asRecord(inputSchema.properties);
  if ((inputSchema.type !== undefined && inputSchema.type !== 'object') || Object.keys(properties).length === 0) return [];
  const required = new Set(Array.isArray(inputSchema.required) ? inputSchema.required.filter((n) => typeof n === 'string') : []);
  return Object.entries(properties).map(([name, raw]) => {
    const property = asRecord(raw);
    const description = typeof property.description === 'string' ? property.description : '';
    return { description, form: 'llm', inputSchema: property, name, required: required.has(name), type: parameterType(property) };
  });
}

/** The ToolSpec of a stored MCP tool: its name, description and parameters. */
export function mcpToolSpec(tool: McpStoredTool): ToolSpec {
  return { description: tool.description ?? '', name: tool.name, parameters: mcpToolParameters(tool.inputSchema) };
}
