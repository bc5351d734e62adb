import { VariablePool } from '../variables';
import { VariableAggregatorNodeConfig } from './variable-aggregator.types';

function firstPresent(selectors: readonly (readonly string[])[], pool: VariablePool): { found: true; value: unknown } | { found: false } {
  for (const selector of selectors) {
    const value = pool.get(selector);
    // Dify takes the first variable the pool holds; a stored null is skipped here too, so a branch that
    // ran but produced nothing does not shadow one that produced a value.
    if (value !== undefined && value !== null) return { found: true, value };
  }
  return { found: false };
}

/**
 * A variable-aggregator node's outputs: `{output}` with the first non-null input, or, with groups
 * enabled, `{<group_name>: {output}}` per group; a group (or the node) with no value has no entry.
 */
export function aggregateVariables(config: VariableAggregatorNodeConfig, pool: VariablePool): Record<string, unknown> {
  if (!config.advanced_settings?.group_enabled) {
    const first = firstPresent(config.variables, pool);
    return first.found ? { output: first.value } : {};
  }
  const outputs: Record<string, unknown> = {};
  for (const group of config.advanced_settings.groups) {
    const first = firstPresent(group.variables, pool);
    if (first.found) outputs[group.group_name] = { output: first.value };
  }
  return outputs;
}
