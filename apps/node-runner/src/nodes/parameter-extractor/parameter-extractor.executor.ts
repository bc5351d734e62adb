import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { isPlainObject, renderTemplate, renderValue } from '@weft/workflow';
import type { ChatProviderSource } from '../../providers/chat-providers.service';
import type { ChatMessage, ToolDefinition } from '../../providers/provider.types';
import {
  callModel,
  modelFailure,
  parseJsonObject,
  modelProcessData,
  readModelConfig,
  usageMetadata,
  type ModelCall,
} from '../model-call.util';
import { historyMessages, jobHistory, readMemory, withHistoryBeforeLastUser } from '../conversation-memory.util';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';

/** The function the model is asked to call in function_call mode (Dify's name). */
export const EXTRACTOR_FUNCTION_NAME = 'extract_parameters';

/** One parameter to extract, as the DSL declares it. */
interface ParameterConfig {
  name: string;
  type: string;
  description: string;
  required: boolean;
  options: string[];
}

const FUNCTION_CALL_SYSTEM_PROMPT = `You are a helpful assistant tasked with extracting structured information based on specific criteria provided. Follow the guidelines below to ensure consistency and accuracy.
### Task
Always call the \`${EXTRACTOR_FUNCTION_NAME}\` function with the correct parameters. Ensure that the information extraction is contextual and aligns with the provided criteria.
### Instructions:
Some additional information is provided below. Always adhere to these instructions as closely as possible:
<instruction>
{instruction}
</instruction>
Steps:
1. Extract the relevant information based on the criteria given, output multiple values if there is multiple relevant information that match the criteria in the given text.
2. Generate a well-formatted output using the defined functions and arguments.
3. Use the \`${EXTRACTOR_FUNCTION_NAME}\` function to create structured outputs with appropriate parameters.
4. Do not include any XML tags in your output.`;

const PROMPT_SYSTEM_PROMPT = `You are a helpful assistant tasked with extracting structured information based on specific criteria provided. Follow the guidelines below to ensure consistency and accuracy.
### Task
Extract the parameters described inside <structure></structure> XML tags from the text inside <context></context> XML tags and answer with one JSON object whose keys are the parameter names.
### Instructions:
Some additional information is provided below. Always adhere to these instructions as closely as possible:
<instruction>
{instruction}
</instruction>
### Constraint
Answer with the JSON object only: no explanation, no markdown, no XML tags. Leave out a parameter you cannot find.`;

const USER_TEMPLATE = `extract structured information from context inside <context></context> XML tags.
<context>
{content}
</context>
<structure>
{structure}
</structure>`;

/**
 * The parameter-extractor node: asks the model for the declared parameters, through a function call
 * (function_call mode) or a JSON answer (prompt mode), then validates and coerces them as Dify does.
 * A bad extraction is still a success, with `__is_success` 0 and the reason; only a failed model call
 * fails the node.
 */
export class ParameterExtractorExecutor implements NodeJobExecutor {
  constructor(private readonly providers: ChatProviderSource) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const data = job.data;
    const model = readModelConfig(data);
    if ('error' in model) return failed('ParameterExtractorNodeError', model.error);
    const parameters = readParameters(data['parameters']);
    const selector = asSelector(data['query']);
    const queryValue = selector ? ctx.pool.get(selector) : undefined;
    const query = renderValue(queryValue);
    const instruction = typeof data['instruction'] === 'string' ? renderTemplate(data['instruction'], ctx.pool) : '';
    const inputs = { files: [], instruction, parameters: data['parameters'] ?? [], query };
    if (parameters.length === 0) return failed('ParameterExtractorNodeError', 'No parameters to extract.', { inputs });

    const schema = parametersSchema(parameters);
    const functionCall = data['reasoning_mode'] !== 'prompt';
    const tool: ToolDefinition = {
      name: EXTRACTOR_FUNCTION_NAME,
      description: 'Extract parameters from the natural language text',
      parameters: schema,
    };
    const history = historyMessages(jobHistory(job, readMemory(data)));
    const messages: ChatMessage[] = withHistoryBeforeLastUser(
      [
        {
          role: 'system',
          content: (functionCall ? FUNCTION_CALL_SYSTEM_PROMPT : PROMPT_SYSTEM_PROMPT).replace('{instruction}', instruction),
        },
        { role: 'user', content: USER_TEMPLATE.replace('{content}', query).replace('{structure}', JSON.stringify(schema)) },
      ],
      history,
    );
    const processData: Record<string, unknown> = { function: functionCall ? tool : {}, ...modelProcessData(model, messages) };

    let call: ModelCall;
    try {
      call = await callModel(
        this.providers,
        job,
        model,
        functionCall
          ? { messages, tools: [tool] }
          : { messages, responseFormat: { type: 'json_schema', name: EXTRACTOR_FUNCTION_NAME, schema } },
        { signal: ctx.signal },
      );
    } catch (error) {
      return modelFailure(error, { inputs, processData });
    }

    const toolCall = call.result.toolCalls.find((c) => c.name === EXTRACTOR_FUNCTION_NAME) ?? call.result.toolCalls[0];
    processData['tool_call'] = toolCall ? { arguments: toolCall.arguments, id: toolCall.id, name: toolCall.name } : null;
    processData['usage'] = call.usage;
    const extracted = (toolCall ? parseJsonObject(toolCall.arguments) : undefined) ?? parseJsonObject(call.result.text);
    let reason: string | null = null;
    if (!extracted) reason = 'Failed to extract result from function call or text response, using empty result.';
    else reason = validate(parameters, extracted);
    if (reason) processData['error'] = reason;
    const values = coerce(parameters, extracted ?? {});
    return succeeded({
      inputs,
      metadata: usageMetadata(call.usage),
      outputs: { __is_success: reason ? 0 : 1, __reason: reason, __usage: call.usage, ...values },
      processData,
    });
  }
}

function readParameters(value: unknown): ParameterConfig[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isPlainObject).flatMap((p) =>
    typeof p['name'] === 'string' && p['name']
      ? [
          {
            name: p['name'],
            type: typeof p['type'] === 'string' ? p['type'] : 'string',
            description: typeof p['description'] === 'string' ? p['description'] : '',
            required: p['required'] === true,
            options: Array.isArray(p['options']) ? p['options'].map(String) : [],
          },
        ]
      : [],
  );
}

/** JSON types by Dify's parameter type names (`bool` is Dify's spelling of boolean). */
function jsonType(type: string): string {
  return type === 'bool' ? 'boolean' : type === 'select' ? 'string' : type;
}

function itemType(type: string): string | undefined {
  const match = /^array\[(\w+)\]$/.exec(type);
  return match ? jsonType(match[1]) : undefined;
}

/** The JSON schema of the parameters, for the function definition or the response format. */
export function parametersSchema(parameters: ParameterConfig[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const p of parameters) {
    const items = itemType(p.type);
    const property: Record<string, unknown> = items ? { type: 'array', items: { type: items } } : { type: jsonType(p.type) };
    if (p.description) property['description'] = p.description;
    if (p.type === 'select' && p.options.length) property['enum'] = p.options;
    properties[p.name] = property;
  }
  return { type: 'object', properties, required: parameters.filter((p) => p.required).map((p) => p.name) };
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    default:
      return typeof value === 'string';
  }
}

/** The first problem with the model's answer, in Dify's words, or null. */
function validate(parameters: ParameterConfig[], result: Record<string, unknown>): string | null {
  for (const p of parameters) {
    const value = result[p.name];
    if (value === undefined || value === null) {
      if (p.required) return `Parameter ${p.name} is required`;
      continue;
    }
    const items = itemType(p.type);
    if (items) {
      if (!Array.isArray(value) || !value.every((item) => hasType(item, items))) return `Invalid \`array\` value for parameter ${p.name}`;
    } else if (p.type === 'select') {
      if (typeof value !== 'string' || (p.options.length > 0 && !p.options.includes(value)))
        return `Invalid \`select\` value for parameter ${p.name}`;
    } else if (!hasType(value, jsonType(p.type))) {
      return `Invalid \`${p.type}\` value for parameter ${p.name}`;
    }
  }
  return null;
}

/**
 * Every declared parameter with a value of its type: the model's when usable (numbers and booleans given as
 * text are converted), else Dify's default.
 */
function coerce(parameters: ParameterConfig[], result: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const p of parameters) {
    const value = result[p.name];
    const items = itemType(p.type);
    const type = jsonType(p.type);
    if (items) {
      values[p.name] = Array.isArray(value) ? value.filter((item) => hasType(item, items)) : [];
    } else if (type === 'number') {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      values[p.name] = typeof number === 'number' && Number.isFinite(number) ? number : 0;
    } else if (type === 'boolean') {
      values[p.name] = typeof value === 'boolean' ? value : typeof value === 'string' ? value.trim().toLowerCase() === 'true' : false;
    } else if (p.type === 'select') {
      values[p.name] = typeof value === 'string' && (p.options.length === 0 || p.options.includes(value)) ? value : '';
    } else {
      values[p.name] = typeof value === 'string' ? value : '';
    }
  }
  return values;
}
