/** Where a tool comes from, with Dify's names (`provider_type` in a tool node's data). */
export const TOOL_PROVIDER_TYPES = ['builtin', 'api', 'mcp', 'workflow'] as const;

/** A tool provider type Dify exports. */
export type ToolProviderType = (typeof TOOL_PROVIDER_TYPES)[number];

/** The tool provider types Weft runs; `workflow` (a published workflow used as a tool) is not one of them. */
export const RUNNABLE_TOOL_PROVIDER_TYPES: readonly ToolProviderType[] = ['builtin', 'api', 'mcp'];

/** A tool parameter's type, as Dify's `ToolParameter.type` names it. */
export type ToolParameterType = 'string' | 'number' | 'boolean' | 'select' | 'secret-input' | 'file' | 'files' | 'object' | 'array';

/**
 * Who fills a parameter: `llm` parameters are what a model fills when an agent calls the tool (and what
 * a tool node maps from variables); `form` parameters are set once in the node's configuration.
 */
export type ToolParameterForm = 'llm' | 'form';

/** One parameter of a tool, as Dify describes it. */
export interface ToolParameterSpec {
  name: string;
  type: ToolParameterType;
  required: boolean;
  form: ToolParameterForm;
  description: string;
  default?: string | number | boolean;
  /** The values a `select` parameter accepts. */
  options?: readonly string[];
}

/** What a tool tells a model about itself, and the parameters it takes. */
export interface ToolSpec {
  name: string;
  /** The description a model reads when deciding to call the tool. */
  description: string;
  parameters: readonly ToolParameterSpec[];
}

/** One credential field of a provider (Dify's `credentials_for_provider`). */
export interface ToolCredentialSpec {
  name: string;
  required: boolean;
  /** `secret-input` fields are never answered back, only whether they are set. */
  type: 'secret-input' | 'text-input';
}

/** A built-in tool provider: its Dify name, the credentials it needs (none for most) and its tools. */
export interface BuiltinToolProviderSpec {
  name: string;
  label: string;
  description: string;
  credentials: readonly ToolCredentialSpec[];
  tools: readonly ToolSpec[];
}
