/** One aggregation group of a variable-aggregator node. */
export interface VariableAggregatorGroup {
  group_name: string;
  output_type?: string;
  variables: readonly (readonly string[])[];
}

/** A variable-aggregator node's `data`, with the DSL's field names. */
export interface VariableAggregatorNodeConfig {
  advanced_settings?: { group_enabled: boolean; groups: readonly VariableAggregatorGroup[] } | null;
  output_type?: string;
  variables: readonly (readonly string[])[];
}
