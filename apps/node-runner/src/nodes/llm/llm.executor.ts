import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { isPlainObject, type JinjaRenderer, type VariablePool } from '@weft/workflow';
import type { ChatProviderSource } from '../../providers/chat-providers.service';
import type { ChatMessage, ResponseFormat } from '../../providers/provider.types';
import { currentQuery, historyMessages, historyText, jobHistory, readMemory } from '../conversation-memory.util';
import {
  callModel,
  modelFailure,
  parseJsonObject,
  modelProcessData,
  readModelConfig,
  usageMetadata,
  type ModelCall,
} from '../model-call.util';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';
import { jinjaVariables, readPromptEntries, referencedInputs, renderPromptEntry } from './prompt-template.util';

const ROLES = new Set<ChatMessage['role']>(['system', 'user', 'assistant']);
const THINK_BLOCK = /<think>([\s\S]*?)<\/think>\s*/g;

const HISTORIES_MARKER = '{{#histories#}}';

/**
 * The llm node: renders the prompt (chat messages or one completion prompt, basic or jinja2 edition,
 * with `{{#context#}}` from the context variable), adds the conversation's last turns when the node has
 * memory (after the prompt's messages, followed by the current query, as Dify orders them), calls the
 * model with the node's completion params, streams the answer as chunks, and reports Dify's text, usage
 * and finish reason, plus the parsed structured output when the node asks for one.
 */
export class LlmExecutor implements NodeJobExecutor {
  constructor(
    private readonly providers: ChatProviderSource,
    private readonly jinja: Pick<JinjaRenderer, 'render'>,
  ) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const data = job.data;
    const model = readModelConfig(data);
    if ('error' in model) return failed('LLMNodeError', model.error);

    const entries = readPromptEntries(data['prompt_template']);
    const variables = jinjaVariables(data, ctx.pool);
    const inputs: Record<string, unknown> = { ...referencedInputs(entries, ctx.pool), ...variables };
    const context = readContext(data, ctx.pool);
    if ('error' in context) return failed('InvalidContextStructureError', context.error, { inputs });
    if (context.text !== undefined) inputs['#context#'] = context.text;

    let messages: ChatMessage[] = [];
    try {
      for (const entry of entries) {
        messages.push({
          // A completion prompt is sent as one user message: every provider here speaks chat.
          role:
            model.mode === 'completion'
              ? 'user'
              : ROLES.has(entry.role as ChatMessage['role'])
                ? (entry.role as ChatMessage['role'])
                : 'user',
          content: await renderPromptEntry(entry, ctx.pool, context.text ?? '', variables, this.jinja),
        });
      }
    } catch (error) {
      return failed('TemplateRenderError', `Failed to render the prompt: ${(error as Error).message}`, { inputs });
    }
    const memory = readMemory(data);
    if (memory) {
      const turns = jobHistory(job, memory);
      if (model.mode === 'completion') {
        const text = historyText(turns, memory.rolePrefix);
        messages = messages.map((m, i) => {
          if (m.content.includes(HISTORIES_MARKER)) return { ...m, content: m.content.replaceAll(HISTORIES_MARKER, text) };
          return i === 0 && text ? { ...m, content: `${text}\n${m.content}` } : m;
        });
      } else {
        messages = [...messages, ...historyMessages(turns)];
        const query = currentQuery(ctx.pool, memory);
        if (query) messages.push({ role: 'user', content: query });
      }
    }
    // Dify drops messages that render empty and refuses a call with none left.
    messages = messages.filter((m) => m.content.trim() !== '');
    if (messages.length === 0) {
      return failed(
        'NoPromptFoundError',
        'No prompt found in the LLM configuration. Please ensure a prompt is properly configured before proceeding.',
        { inputs },
      );
    }

    const structured = readStructuredOutput(data);
    if ('error' in structured) return failed('LLMNodeError', structured.error, { inputs });
    const { params, responseFormat } = splitResponseFormat(model.completionParams);
    const processData = modelProcessData(model, messages);

    let call: ModelCall;
    try {
      call = await callModel(
        this.providers,
        job,
        model,
        {
          messages,
          params,
          responseFormat: structured.schema
            ? { type: 'json_schema', name: 'structured_output', schema: structured.schema }
            : responseFormat,
        },
        { signal: ctx.signal, onDelta: (text) => ctx.emitChunk(text) },
      );
    } catch (error) {
      return modelFailure(error, { inputs, processData });
    }

    const separated = data['reasoning_format'] === 'separated';
    let text = call.result.text;
    const reasoning: string[] = call.result.reasoning ? [call.result.reasoning] : [];
    if (separated) {
      text = text.replace(THINK_BLOCK, (_block: string, thought: string) => {
        reasoning.push(thought.trim());
        return '';
      });
    }
    const outputs: Record<string, unknown> = {
      text,
      reasoning_content: reasoning.join('\n'),
      usage: call.usage,
      finish_reason: call.result.finishReason,
    };
    const result = {
      inputs,
      metadata: usageMetadata(call.usage),
      processData: { ...processData, finish_reason: call.result.finishReason, usage: call.usage },
    };
    if (structured.schema) {
      const parsed = parseJsonObject(text);
      if (!parsed) return failed('OutputParserError', `Failed to parse structured output: ${text}`, { ...result, outputs });
      outputs['structured_output'] = parsed;
    }
    return succeeded({ ...result, outputs });
  }
}

/** The context text: a string as is, a list of strings or retrieval results (their `content`) one per line. */
function readContext(data: Record<string, unknown>, pool: VariablePool): { text?: string } | { error: string } {
  const config = data['context'];
  if (!isPlainObject(config) || config['enabled'] !== true) return {};
  const selector = asSelector(config['variable_selector']);
  if (!selector) return {};
  const value = pool.get(selector);
  if (typeof value === 'string') return { text: value };
  if (!Array.isArray(value)) return {};
  const parts: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') parts.push(item);
    else if (isPlainObject(item) && typeof item['content'] === 'string') parts.push(item['content']);
    else return { error: `Invalid context structure: ${JSON.stringify(item)}` };
  }
  return { text: parts.join('\n').trim() };
}

/** The JSON schema of `structured_output` when `structured_output_switch_on` is set. */
function readStructuredOutput(data: Record<string, unknown>): { schema?: Record<string, unknown> } | { error: string } {
  if (data['structured_output_switch_on'] !== true) return {};
  const config = data['structured_output'];
  let schema: unknown = isPlainObject(config) ? config['schema'] : undefined;
  if (typeof schema === 'string') {
    try {
      schema = JSON.parse(schema);
    } catch {
      return { error: 'The structured output schema is not valid JSON.' };
    }
  }
  if (!isPlainObject(schema)) return { error: 'Structured output is on but has no schema.' };
  return { schema };
}

/**
 * Dify keeps OpenAI's output format among the completion params as strings (`response_format: "json_object"`,
 * or `"json_schema"` with the schema text in `json_schema`); providers take it as a typed response format.
 */
function splitResponseFormat(completionParams: Record<string, unknown>): {
  params: Record<string, unknown>;
  responseFormat?: ResponseFormat;
} {
  const params = { ...completionParams };
  const format = params['response_format'];
  if (typeof format !== 'string') return { params };
  const schemaText = params['json_schema'];
  delete params['response_format'];
  delete params['json_schema'];
  if (format === 'json_object') return { params, responseFormat: { type: 'json_object' } };
  if (format === 'json_schema' && typeof schemaText === 'string') {
    const parsed = parseJsonObject(schemaText);
    if (parsed) {
      // Dify's form takes OpenAI's wrapper {name, schema}; a bare schema is accepted too.
      const schema = isPlainObject(parsed['schema']) ? parsed['schema'] : parsed;
      const name = typeof parsed['name'] === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(parsed['name']) ? parsed['name'] : 'response';
      return { params, responseFormat: { type: 'json_schema', name, schema } };
    }
  }
  return { params };
}
