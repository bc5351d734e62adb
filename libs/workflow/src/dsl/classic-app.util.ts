import { isPlainObject } from '../variables/python-semantics.util';
import { CURRENT_DSL_VERSION, type AppMode } from './dsl.types';

/** Classic app modes: their DSL carries `model_config` instead of a workflow graph. */
export type ClassicAppMode = Extract<AppMode, 'chat' | 'agent-chat' | 'completion'>;

/** The chatflow a classic app runs as, and what of its config Weft does not carry out. */
export interface ClassicAppWorkflow {
  /** A DSL document of mode `advanced-chat` (valid input for `readDocument`). */
  document: Record<string, unknown>;
  warnings: string[];
}

// Editor-facing keys of model_config that become the chatflow's features unchanged.
const FEATURE_KEYS = [
  'opening_statement',
  'suggested_questions',
  'suggested_questions_after_answer',
  'speech_to_text',
  'text_to_speech',
  'retriever_resource',
  'sensitive_word_avoidance',
  'file_upload',
  'more_like_this',
] as const;

const FORM_TYPES = new Set(['text-input', 'paragraph', 'select', 'number', 'checkbox', 'json_object']);

// Wording of the context block added to a simple prompt that does not place `{{#context#}}` itself.
const CONTEXT_BLOCK =
  'Use the following context as your learned knowledge, inside <context></context> XML tags.\n<context>\n{{#context#}}\n</context>\n\n';

/**
 * Converts a classic app's `model_config` into the chatflow that runs it, following the shape Dify's
 * "convert to workflow" produces: start (the user input form) → knowledge retrieval (when datasets are
 * attached) → llm (the prompt, context and, for chat apps, conversation memory) → answer.
 * Prompt variables `{{name}}` become `{{#start.name#}}` and `{{#query#}}` becomes `{{#sys.query#}}`.
 */
export function classicAppWorkflow(mode: ClassicAppMode, name: string, modelConfig: Record<string, unknown>): ClassicAppWorkflow {
  const warnings: string[] = [];
  const variables = readUserInputForm(modelConfig['user_input_form'], warnings);
  const names = new Set(variables.map((v) => String(v['variable'])));
  const convert = (text: string) => convertTemplate(text, names);

  const datasets = readDatasetIds(modelConfig['dataset_configs']);
  const model = isPlainObject(modelConfig['model']) ? modelConfig['model'] : {};
  const modelMode = model['mode'] === 'completion' ? 'completion' : 'chat';
  const chat = mode !== 'completion';
  const nodes: Record<string, unknown>[] = [node('start', 'start', 'Start', { variables })];
  const edges: [string, string][] = [];
  let previous = 'start';

  if (datasets.length > 0) {
    const configs = isPlainObject(modelConfig['dataset_configs']) ? modelConfig['dataset_configs'] : {};
    const queryVariable = typeof modelConfig['dataset_query_variable'] === 'string' ? modelConfig['dataset_query_variable'] : '';
    const querySelector = chat ? ['sys', 'query'] : queryVariable ? ['start', queryVariable] : null;
    if (!querySelector)
      warnings.push('The completion app attaches datasets but names no dataset_query_variable; retrieval uses an empty query.');
    nodes.push(
      node('knowledge', 'knowledge-retrieval', 'Knowledge Retrieval', {
        dataset_ids: datasets,
        multiple_retrieval_config: {
          reranking_enable: configs['reranking_enable'] === true,
          ...(isPlainObject(configs['reranking_model']) ? { reranking_model: configs['reranking_model'] } : {}),
          ...(configs['reranking_mode'] ? { reranking_mode: configs['reranking_mode'] } : {}),
          score_threshold: configs['score_threshold_enabled'] === true ? (configs['score_threshold'] ?? null) : null,
          top_k: Number(configs['top_k'] ?? 4) || 4,
          ...(isPlainObject(configs['weights']) ? { weights: configs['weights'] } : {}),
        },
        query_variable_selector: querySelector ?? ['sys', 'query'],
        retrieval_mode: configs['retrieval_model'] === 'single' ? 'single' : 'multiple',
        ...(configs['retrieval_model'] === 'single' ? { single_retrieval_config: { model } } : {}),
      }),
    );
    edges.push([previous, 'knowledge']);
    previous = 'knowledge';
  }

  const withContext = datasets.length > 0;
  const promptTemplate = readPrompt(modelConfig, modelMode, chat, withContext, convert);
  const agentMode = isPlainObject(modelConfig['agent_mode']) ? modelConfig['agent_mode'] : {};
  const histories = readHistoryPrefixes(modelConfig);
  const modelBlock = {
    completion_params: isPlainObject(model['completion_params']) ? model['completion_params'] : {},
    mode: modelMode,
    name: model['name'] ?? '',
    provider: model['provider'] ?? '',
  };
  if (mode === 'agent-chat' || agentMode['enabled'] === true) {
    if (withContext)
      warnings.push(
        "The agent's datasets are searched before it runs, but the agent does not read the results; attach them as a tool or use a chatflow.",
      );
    nodes.push(node('agent', 'agent', 'Agent', agentNodeData(agentMode, modelBlock, convert(String(modelConfig['pre_prompt'] ?? '')))));
    edges.push([previous, 'agent']);
    nodes.push(node('answer', 'answer', 'Answer', { answer: '{{#agent.text#}}', variables: [] }));
    edges.push(['agent', 'answer']);
  } else {
    nodes.push(
      node('llm', 'llm', 'LLM', {
        context: { enabled: withContext, variable_selector: withContext ? ['knowledge', 'result'] : [] },
        ...(chat
          ? {
              memory: {
                query_prompt_template: modelMode === 'chat' ? '{{#sys.query#}}' : '',
                ...(histories ? { role_prefix: histories } : {}),
                window: { enabled: false, size: 10 },
              },
            }
          : {}),
        model: modelBlock,
        prompt_template: promptTemplate,
        vision: { enabled: false },
      }),
    );
    edges.push([previous, 'llm']);
    nodes.push(node('answer', 'answer', 'Answer', { answer: '{{#llm.text#}}', variables: [] }));
    edges.push(['llm', 'answer']);
  }

  const features: Record<string, unknown> = {};
  for (const key of FEATURE_KEYS) if (modelConfig[key] !== undefined) features[key] = modelConfig[key];

  return {
    document: {
      app: { description: '', icon: '🤖', icon_background: '#FFEAD5', mode: 'advanced-chat', name, use_icon_as_answer_icon: false },
      dependencies: [],
      kind: 'app',
      version: CURRENT_DSL_VERSION,
      workflow: {
        conversation_variables: [],
        environment_variables: [],
        features,
        graph: {
          edges: edges.map(([source, target]) => ({
            id: `${source}-source-${target}-target`,
            source,
            sourceHandle: 'source',
            target,
            targetHandle: 'target',
            type: 'custom',
          })),
          nodes,
          viewport: { x: 0, y: 0, zoom: 1 },
        },
      },
    },
    warnings,
  };
}

/** `{{name}}` (a form variable) → `{{#start.name#}}`; `{{#query#}}` → `{{#sys.query#}}`; other text unchanged. */
export function convertTemplate(text: string, formVariables: ReadonlySet<string>): string {
  return text
    .replace(/\{\{([A-Za-z_][A-Za-z0-9_]{0,29})\}\}/g, (match: string, name: string) =>
      formVariables.has(name) ? `{{#start.${name}#}}` : match,
    )
    .replaceAll('{{#query#}}', '{{#sys.query#}}');
}

function node(id: string, type: string, title: string, data: Record<string, unknown>): Record<string, unknown> {
  return {
    data: { desc: '', selected: false, title, type, ...data },
    height: 54,
    id,
    position: { x: 0, y: 0 },
    type: 'custom',
    width: 244,
  };
}

/** `user_input_form` entries (`{<control>: {label, variable, required, ...}}`) as start-node variables. */
function readUserInputForm(form: unknown, warnings: string[]): Record<string, unknown>[] {
  if (!Array.isArray(form)) return [];
  const variables: Record<string, unknown>[] = [];
  for (const entry of form) {
    if (!isPlainObject(entry)) continue;
    const [type, config] = Object.entries(entry)[0] ?? [];
    if (!type || !isPlainObject(config) || typeof config['variable'] !== 'string') continue;
    if (!FORM_TYPES.has(type)) {
      warnings.push(`Input "${config['variable']}" of type ${type} is not supported and was left out.`);
      continue;
    }
    variables.push({
      label: config['label'] ?? config['variable'],
      options: Array.isArray(config['options']) ? config['options'] : [],
      required: config['required'] === true,
      type,
      variable: config['variable'],
      ...(config['max_length'] !== undefined ? { max_length: config['max_length'] } : {}),
      ...(config['default'] !== undefined && config['default'] !== '' ? { default: config['default'] } : {}),
    });
  }
  return variables;
}

/** Ids of the enabled datasets in `dataset_configs.datasets.datasets[].dataset`. */
function readDatasetIds(configs: unknown): string[] {
  if (!isPlainObject(configs) || !isPlainObject(configs['datasets'])) return [];
  const list = configs['datasets']['datasets'];
  if (!Array.isArray(list)) return [];
  const ids: string[] = [];
  for (const item of list) {
    const dataset = isPlainObject(item) && isPlainObject(item['dataset']) ? item['dataset'] : null;
    if (dataset && dataset['enabled'] !== false && typeof dataset['id'] === 'string') ids.push(dataset['id']);
  }
  return ids;
}

function readHistoryPrefixes(modelConfig: Record<string, unknown>): { assistant: string; user: string } | null {
  const config = isPlainObject(modelConfig['completion_prompt_config']) ? modelConfig['completion_prompt_config'] : {};
  const roles = isPlainObject(config['conversation_histories_role']) ? config['conversation_histories_role'] : null;
  if (!roles) return null;
  return { assistant: String(roles['assistant_prefix'] ?? 'Assistant'), user: String(roles['user_prefix'] ?? 'Human') };
}

/**
 * The llm node's prompt: the advanced prompt as written, or the simple `pre_prompt` as the system
 * message of a chat model (the user's query follows from memory) or as the whole prompt otherwise.
 */
function readPrompt(
  modelConfig: Record<string, unknown>,
  modelMode: 'chat' | 'completion',
  chat: boolean,
  withContext: boolean,
  convert: (text: string) => string,
): unknown {
  const contextBlock = (text: string) => (withContext && !text.includes('{{#context#}}') ? CONTEXT_BLOCK + text : text);
  if (modelConfig['prompt_type'] === 'advanced') {
    if (modelMode === 'chat') {
      const config = isPlainObject(modelConfig['chat_prompt_config']) ? modelConfig['chat_prompt_config'] : {};
      const prompt = Array.isArray(config['prompt']) ? config['prompt'] : [];
      return prompt.filter(isPlainObject).map((m) => ({
        role: ['system', 'user', 'assistant'].includes(String(m['role'])) ? m['role'] : 'user',
        text: convert(String(m['text'] ?? '')),
      }));
    }
    const config = isPlainObject(modelConfig['completion_prompt_config']) ? modelConfig['completion_prompt_config'] : {};
    const prompt = isPlainObject(config['prompt']) ? config['prompt'] : {};
    return { text: convert(String(prompt['text'] ?? '')) };
  }
  const prePrompt = convert(typeof modelConfig['pre_prompt'] === 'string' ? modelConfig['pre_prompt'] : '');
  if (modelMode === 'completion') {
    const query = chat ? '\n\n{{#histories#}}\nHuman: {{#sys.query#}}\nAssistant: ' : '';
    return { text: contextBlock(prePrompt) + query };
  }
  if (chat) return [{ role: 'system', text: contextBlock(prePrompt) }];
  return [{ role: 'user', text: contextBlock(prePrompt) }];
}

/**
 * The agent node a classic agent app runs as (Dify's workflow agent node shape): its model, its enabled
 * tools with the parameters the app fixed (`tool_parameters`; the rest the model fills), the pre-prompt as
 * instruction, the user's query, and `max_iteration`. `strategy` `react` becomes ReAct, anything else
 * function calling.
 */
function agentNodeData(agentMode: Record<string, unknown>, model: Record<string, unknown>, instruction: string): Record<string, unknown> {
  const tools = (Array.isArray(agentMode['tools']) ? agentMode['tools'] : [])
    .filter((tool): tool is Record<string, unknown> => isPlainObject(tool) && tool['enabled'] !== false && tool['isDeleted'] !== true)
    .map((tool) => ({
      enabled: true,
      parameters: Object.fromEntries(
        Object.entries(isPlainObject(tool['tool_parameters']) ? tool['tool_parameters'] : {})
          .filter(([, value]) => value !== '' && value !== null && value !== undefined)
          .map(([name, value]) => [
            name,
            { auto: 0, value: { type: 'mixed', value: typeof value === 'string' ? value : JSON.stringify(value) } },
          ]),
      ),
      provider_name: tool['provider_id'] ?? tool['provider_name'] ?? '',
      settings: {},
      tool_name: tool['tool_name'] ?? '',
      type: tool['provider_type'] ?? 'builtin',
    }));
  const iterations = Number(agentMode['max_iteration'] ?? 5);
  return {
    agent_parameters: {
      instruction: { type: 'mixed', value: instruction },
      maximum_iterations: { type: 'constant', value: Number.isFinite(iterations) && iterations > 0 ? iterations : 5 },
      model: { type: 'constant', value: { ...model, model: model['name'], model_type: 'llm', type: 'model-selector' } },
      query: { type: 'mixed', value: '{{#sys.query#}}' },
      tools: { type: 'constant', value: tools },
    },
    agent_strategy_label: agentMode['strategy'] === 'react' ? 'ReAct' : 'FunctionCalling',
    agent_strategy_name: agentMode['strategy'] === 'react' ? 'ReAct' : 'function_calling',
    agent_strategy_provider_name: 'langgenius/agent/agent',
    memory: { query_prompt_template: '', window: { enabled: false, size: 10 } },
  };
}
