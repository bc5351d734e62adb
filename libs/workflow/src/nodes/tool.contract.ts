import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asRecord } from '../dsl/dsl-value.util';
import { builtinToolProvider, BUILTIN_TOOL_PROVIDERS, shortToolProviderName } from '../tools/builtin-tools.catalog';
import { toolConfigurationInputs, toolInputs, type ToolInput } from '../tools/tool-parameters.util';
import { TOOL_PROVIDER_TYPES } from '../tools/tool.types';
import type { NodeTypeContract, ReferenceReader } from './node-type.types';

/** `data` of a tool node, with Dify's field names. */
export const ToolNodeDataSchema = NodeDataCommonSchema.extend({
  provider_id: z.string().min(1),
  provider_name: z.string().nullish(),
  provider_type: z.enum(TOOL_PROVIDER_TYPES),
  tool_configurations: z.record(z.unknown()).nullish(),
  tool_name: z.string().min(1),
  tool_parameters: z.union([z.record(z.unknown()), z.array(z.unknown())]).nullish(),
}).passthrough();

/** Typed view of a tool node's data. */
export type ToolNodeData = z.infer<typeof ToolNodeDataSchema>;

function readInputs(inputs: Record<string, ToolInput>, prefix: string, read: ReferenceReader): void {
  for (const [name, input] of Object.entries(inputs)) {
    if (input.type === 'variable') read.selector(input.value, `${prefix}.${name}.value`);
    else read.template(input.value, `${prefix}.${name}.value`);
  }
}

/** What the import says about a tool Weft cannot provide, or nothing when it can (or may: api and mcp tools are the workspace's). */
export function toolImportWarning(data: Record<string, unknown>): string | undefined {
  const providerId = typeof data.provider_id === 'string' ? data.provider_id : '';
  const toolName = typeof data.tool_name === 'string' ? data.tool_name : '';
  if (data.provider_type === 'workflow') {
    return `uses the published workflow "${providerId}" as a tool, which Weft does not run; the node will fail when it runs. Import that workflow as its own app and call it from an http-request node (POST /v1/workflows/run)`;
  }
  if (data.provider_type !== 'builtin') return undefined;
  const provider = builtinToolProvider(providerId);
  if (!provider) {
    return `uses the tool "${toolName}" of provider "${providerId}", which Weft does not provide; the node will fail when it runs. Weft's built-in providers are ${Object.keys(BUILTIN_TOOL_PROVIDERS).join(', ')}; replace the node with one of those, an http-request node calling the same API, or a custom OpenAPI or MCP tool`;
  }
  if (!provider.tools.some((tool) => tool.name === toolName)) {
    return `uses the tool "${toolName}" of provider "${shortToolProviderName(providerId)}", which has no such tool in Weft (it has ${provider.tools.map((t) => t.name).join(', ')}); the node will fail when it runs`;
  }
  return undefined;
}

/** The tool node: one call of a built-in, custom OpenAPI or MCP tool, on a node runner. */
export const TOOL_NODE_CONTRACT = {
  dataSchema: ToolNodeDataSchema,
  importWarnings: (data) => {
    const warning = toolImportWarning(data);
    return warning ? [warning] : [];
  },
  outputs: [
    { name: 'text', type: 'string' },
    { name: 'files', type: 'array[file]' },
    { name: 'json', type: 'array[object]' },
  ],
  readReferences: (data, read) => {
    readInputs(toolInputs(data.tool_parameters), 'tool_parameters', read);
    readInputs(toolConfigurationInputs(asRecord(data).tool_configurations), 'tool_configurations', read);
  },
  role: 'step',
  runsIn: 'node-runner',
} as const satisfies NodeTypeContract;
