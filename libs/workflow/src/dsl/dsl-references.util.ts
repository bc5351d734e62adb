import { extractTemplateSelectors } from '../variables';
import type { DraftNode } from './dsl-draft.types';
import { asList, asRecord } from './dsl-value.util';

/**
 * Where a reference is read from. `iteration-output` is the iteration's `output_selector`, which names a
 * node inside the iteration; `loop-break` is a loop's break condition, evaluated after each round, so it
 * may read the loop's own variables and the nodes inside it.
 */
export type ReferenceScope = 'normal' | 'iteration-output' | 'loop-break';

/** A variable a node reads, as a selector `[nodeId or sys/env/conversation, output, ...fields]`. */
export interface NodeReference {
  path: string;
  scope: ReferenceScope;
  selector: string[];
  text: string;
}

/** A selector-valued field that is not a list of at least two names. */
export interface InvalidSelector {
  path: string;
  value: unknown;
}

/** Every variable a node's data reads, by node type; unsupported types yield nothing. */
export function collectReferences(node: DraftNode): { invalid: InvalidSelector[]; references: NodeReference[] } {
  const references: NodeReference[] = [];
  const invalid: InvalidSelector[] = [];
  const data = node.data;

  const selector = (value: unknown, path: string, scope: ReferenceScope = 'normal'): void => {
    // An empty or missing selector is a field the author left unset; Dify reads it as "no value".
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
    if (!Array.isArray(value) || value.length < 2 || !value.every((part) => typeof part === 'string' || typeof part === 'number')) {
      invalid.push({ path: `data.${path}`, value });
      return;
    }
    const parts = value.map(String);
    references.push({ path: `data.${path}`, scope, selector: parts, text: `"${parts.join('.')}"` });
  };
  const template = (value: unknown, path: string): void => {
    // `{{#context#}}` is not extracted: it is the llm node's retrieved context, not a variable.
    if (typeof value !== 'string') return;
    for (const parts of extractTemplateSelectors(value)) references.push({ path: `data.${path}`, scope: 'normal', selector: parts, text: `{{#${parts.join('.')}#}}` });
  };
  const conditions = (value: unknown, path: string, scope: ReferenceScope): void => {
    asList(value).forEach((condition, i) => {
      const entry = asRecord(condition);
      selector(entry.variable_selector, `${path}[${i}].variable_selector`, scope);
      template(entry.value, `${path}[${i}].value`);
    });
  };
  const vision = (): void => {
    const config = asRecord(data.vision);
    if (config.enabled === true) selector(asRecord(config.configs).variable_selector, 'vision.configs.variable_selector');
  };

  switch (node.type) {
    case 'answer':
      template(data.answer, 'answer');
      break;
    case 'assigner':
      asList(data.items).forEach((item, i) => {
        const entry = asRecord(item);
        selector(entry.variable_selector, `items[${i}].variable_selector`);
        if (entry.input_type === 'variable') selector(entry.value, `items[${i}].value`);
      });
      // Version 1 of the assigner wrote one assignment without `items`.
      selector(data.assigned_variable_selector, 'assigned_variable_selector');
      selector(data.input_variable_selector, 'input_variable_selector');
      break;
    case 'code':
    case 'template-transform':
      asList(data.variables).forEach((variable, i) => selector(asRecord(variable).value_selector, `variables[${i}].value_selector`));
      break;
    case 'document-extractor':
      selector(data.variable_selector, 'variable_selector');
      break;
    case 'end':
      asList(data.outputs).forEach((output, i) => selector(asRecord(output).value_selector, `outputs[${i}].value_selector`));
      break;
    case 'http-request': {
      template(data.url, 'url');
      template(data.headers, 'headers');
      template(data.params, 'params');
      template(asRecord(asRecord(data.authorization).config).api_key, 'authorization.config.api_key');
      const body = asRecord(data.body);
      // Before Dify 0.8 a request body's `data` was one string; since then it is a list of parts.
      if (typeof body.data === 'string') template(body.data, 'body.data');
      asList(body.data).forEach((part, i) => {
        const entry = asRecord(part);
        template(entry.key, `body.data[${i}].key`);
        template(entry.value, `body.data[${i}].value`);
        if (entry.type === 'file') selector(entry.file, `body.data[${i}].file`);
      });
      break;
    }
    case 'if-else':
      asList(data.cases).forEach((item, i) => conditions(asRecord(item).conditions, `cases[${i}].conditions`, 'normal'));
      break;
    case 'iteration':
      selector(data.iterator_selector, 'iterator_selector');
      selector(data.output_selector, 'output_selector', 'iteration-output');
      break;
    case 'knowledge-retrieval':
      selector(data.query_variable_selector, 'query_variable_selector');
      selector(data.query_attachment_selector, 'query_attachment_selector');
      break;
    case 'list-operator':
      selector(data.variable, 'variable');
      break;
    case 'llm': {
      const prompts = data.prompt_template;
      const prompt = (entry: Record<string, unknown>, path: string): void => {
        // In jinja2 mode the engine renders `jinja2_text` with `prompt_config.jinja2_variables`; `text` is unused.
        if (entry.edition_type !== 'jinja2') template(entry.text, `${path}.text`);
      };
      if (Array.isArray(prompts)) prompts.forEach((entry, i) => prompt(asRecord(entry), `prompt_template[${i}]`));
      else prompt(asRecord(prompts), 'prompt_template');
      asList(asRecord(data.prompt_config).jinja2_variables).forEach((variable, i) =>
        selector(asRecord(variable).value_selector, `prompt_config.jinja2_variables[${i}].value_selector`),
      );
      const context = asRecord(data.context);
      if (context.enabled === true) selector(context.variable_selector, 'context.variable_selector');
      template(asRecord(data.memory).query_prompt_template, 'memory.query_prompt_template');
      vision();
      break;
    }
    case 'loop':
      asList(data.loop_variables).forEach((variable, i) => {
        const entry = asRecord(variable);
        if (entry.value_type === 'variable') selector(entry.value, `loop_variables[${i}].value`);
      });
      conditions(data.break_conditions, 'break_conditions', 'loop-break');
      break;
    case 'parameter-extractor':
      selector(data.query, 'query');
      template(data.instruction, 'instruction');
      vision();
      break;
    case 'question-classifier':
      selector(data.query_variable_selector, 'query_variable_selector');
      template(data.instruction, 'instruction');
      vision();
      break;
    case 'variable-aggregator':
    case 'variable-assigner': {
      const settings = asRecord(data.advanced_settings);
      if (settings.group_enabled === true) {
        asList(settings.groups).forEach((group, g) =>
          asList(asRecord(group).variables).forEach((variable, i) => selector(variable, `advanced_settings.groups[${g}].variables[${i}]`)),
        );
      } else {
        asList(data.variables).forEach((variable, i) => selector(variable, `variables[${i}]`));
      }
      break;
    }
    default:
      break;
  }
  return { invalid, references };
}

/**
 * What a node makes available to nodes after it, or `null` when Weft cannot know (types it does not
 * run). A container's inside-only variables (`item`, `index`) are in `containerInsideOutputs`.
 */
export function nodeOutputs(node: DraftNode): string[] | null {
  const own = ownOutputs(node);
  // A node with an error strategy also offers what went wrong, to its fail branch or after default values.
  const strategy = node.data.error_strategy;
  if (own && (strategy === 'fail-branch' || strategy === 'default-value')) return [...own, 'error_message', 'error_type'];
  return own;
}

function ownOutputs(node: DraftNode): string[] | null {
  const data = node.data;
  switch (node.type) {
    case 'answer':
      return ['answer', 'files'];
    case 'code':
      return Object.keys(asRecord(data.outputs));
    case 'document-extractor':
      return ['text'];
    case 'http-request':
      return ['status_code', 'body', 'headers', 'files'];
    case 'if-else':
      return ['result', 'selected_case_id'];
    case 'iteration':
      return ['output'];
    case 'knowledge-retrieval':
      return ['result'];
    case 'list-operator':
      return ['result', 'first_record', 'last_record'];
    case 'llm':
      return ['text', 'reasoning_content', 'usage', 'structured_output', 'files'];
    case 'loop':
      return [...loopVariables(node), 'loop_round'];
    case 'parameter-extractor':
      return [...asList(data.parameters).map((parameter) => String(asRecord(parameter).name)), '__is_success', '__reason', '__usage'];
    case 'question-classifier':
      return ['class_name', 'class_id', 'class_label', 'usage'];
    case 'start':
      return asList(data.variables).map((variable) => String(asRecord(variable).variable));
    case 'template-transform':
      return ['output'];
    case 'variable-aggregator':
    case 'variable-assigner': {
      const settings = asRecord(data.advanced_settings);
      // With groups on, each group is an object `{output}`, read as `[node, group, output]`.
      if (settings.group_enabled === true) return asList(settings.groups).map((group) => String(asRecord(group).group_name));
      return ['output'];
    }
    case 'assigner':
    case 'end':
    case 'iteration-start':
    case 'loop-end':
    case 'loop-start':
      return [];
    default:
      return null;
  }
}

/** Variables a container offers only to the nodes inside it: the current item and index, or the loop variables. */
export function containerInsideOutputs(node: DraftNode): string[] {
  if (node.type === 'iteration') return ['item', 'index'];
  if (node.type === 'loop') return loopVariables(node);
  return [];
}

function loopVariables(node: DraftNode): string[] {
  return asList(node.data.loop_variables).map((variable) => String(asRecord(variable).label));
}
