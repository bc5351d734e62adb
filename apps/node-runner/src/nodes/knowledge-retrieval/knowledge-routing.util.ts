import { isPlainObject } from '@weft/workflow';
import type { ChatMessage, ToolCall, ToolDefinition } from '../../providers/provider.types';
import { parseJsonObject } from '../model-call.util';

// The two model calls of the knowledge-retrieval node, as Dify makes them:
// - `single` mode routes the query to one dataset by function calling: one tool per dataset, named by
//   its id and described by its description; the model's first tool call names the dataset searched.
//   A model that refuses tools is asked again in prose (the ReAct router) and names the dataset in JSON;
// - automatic metadata filtering asks the metadata model which of the datasets' metadata fields the
//   query names, and with what value and comparison, as a JSON `metadata_map`.

/** What the node needs to know of a dataset to route to it or filter it. */
export interface DatasetProfile {
  /** Documents that are indexed, enabled and not archived; Dify routes only to datasets that have some. */
  availableDocuments: number;
  description: string;
  id: string;
  metadataFields: { name: string; type: string }[];
  name: string;
}

/** The generation parameters Dify's router uses: a near-deterministic, short answer. */
export const ROUTER_PARAMS = { max_tokens: 1500, temperature: 0.2, top_p: 0.3 } as const;

/** One function per dataset, named by its id; a dataset without a description is described by its name. */
export function datasetTools(datasets: readonly DatasetProfile[]): ToolDefinition[] {
  return datasets.map((dataset) => ({
    description: (dataset.description.trim() || `useful for when you want to answer queries about the ${dataset.name}`).replace(
      /[\r\n]+/g,
      ' ',
    ),
    name: dataset.id,
    parameters: { properties: {}, required: [], type: 'object' },
  }));
}

/** The router's prompt: the user's query alone, under a plain assistant instruction. */
export function routerMessages(query: string): ChatMessage[] {
  return [
    { content: 'You are a helpful AI assistant. Call the one function whose knowledge answers the question best.', role: 'system' },
    { content: query, role: 'user' },
  ];
}

/** The dataset the model's first tool call names, or null when it called none, or one that is not offered. */
export function routedDataset(toolCalls: readonly ToolCall[], datasets: readonly DatasetProfile[]): DatasetProfile | null {
  const name = toolCalls[0]?.name;
  return datasets.find((dataset) => dataset.id === name) ?? null;
}

/**
 * The router for models that take no tools (Dify's ReAct router): the same choice asked in prose. The
 * datasets are listed by id with their descriptions, and the model answers with one JSON object naming
 * the dataset it picks as "action", or "Final Answer" when none fits.
 */
export function reactRouterMessages(query: string, datasets: readonly DatasetProfile[]): ChatMessage[] {
  const tools = datasetTools(datasets)
    .map((tool) => `- ${tool.name}: ${tool.description}`)
    .join('\n');
  const system = [
    "You pick the one knowledge base that can answer the user's question. The knowledge bases, by id:",
    tools,
    'Reply with a single JSON object and nothing else, in this form:',
    '```json\n{"action": "<the id of the knowledge base>", "action_input": "<the question>"}\n```',
    'If none of them fits the question, reply with {"action": "Final Answer", "action_input": "<your answer>"} instead.',
  ].join('\n\n');
  return [
    { content: system, role: 'system' },
    { content: query, role: 'user' },
  ];
}

/** The dataset a ReAct router's answer names as its "action"; null for "Final Answer", no JSON or an id not offered. */
export function reactRoutedDataset(answer: string, datasets: readonly DatasetProfile[]): DatasetProfile | null {
  const action = parseJsonObject(answer)?.['action'];
  return typeof action === 'string' ? (datasets.find((dataset) => dataset.id === action.trim()) ?? null) : null;
}

/** The comparison operators the metadata model may use, and the one each stands for on text and on numbers. */
const MODEL_OPERATORS: Record<string, { number: string; text: string; time: string }> = {
  '!=': { number: '≠', text: 'is not', time: '≠' },
  '<': { number: '<', text: '<', time: 'before' },
  '<=': { number: '≤', text: '≤', time: '≤' },
  '=': { number: '=', text: 'is', time: '=' },
  '>': { number: '>', text: '>', time: 'after' },
  '>=': { number: '≥', text: '≥', time: '≥' },
  contains: { number: 'contains', text: 'contains', time: 'contains' },
};

/** Instructions, one worked example and the actual question, asking for `{"metadata_map": [...]}` in JSON. */
export function metadataFilterMessages(query: string, fieldNames: readonly string[]): ChatMessage[] {
  const system = [
    'You extract search filters from a question.',
    'Given the question (input_text) and the metadata fields its documents carry (metadata_fields), find only the fields whose value the question states,',
    `and compare each with one of the operators ${Object.keys(MODEL_OPERATORS)
      .map((o) => JSON.stringify(o))
      .join(', ')}.`,
    'Answer with one JSON object {"metadata_map": [{"metadata_field_name": ..., "metadata_field_value": ..., "comparison_operator": ...}]}, an empty list when the question names none, and nothing else.',
  ].join(' ');
  return [
    { content: system, role: 'system' },
    {
      content: JSON.stringify({ input_text: 'Which invoices did Acme send in 2023?', metadata_fields: ['customer', 'year', 'language'] }),
      role: 'user',
    },
    {
      content: JSON.stringify({
        metadata_map: [
          { comparison_operator: '=', metadata_field_name: 'customer', metadata_field_value: 'Acme' },
          { comparison_operator: '=', metadata_field_name: 'year', metadata_field_value: '2023' },
        ],
      }),
      role: 'assistant',
    },
    { content: JSON.stringify({ input_text: query, metadata_fields: fieldNames }), role: 'user' },
  ];
}

/** One condition of Dify's `metadata_filtering_conditions`. */
export interface MetadataCondition {
  comparison_operator: string;
  name: string;
  value: string | number;
}

/**
 * The conditions in the metadata model's answer, keeping only fields the datasets have (as Dify does)
 * and an operator and value that can be applied: numbers compare numerically on number fields, `=`
 * and `!=` mean `is` and `is not` on text, `<` and `>` mean before and after on time fields.
 * An answer that is not JSON gives no conditions.
 */
export function parseMetadataFilterAnswer(answer: string, fields: readonly { name: string; type: string }[]): MetadataCondition[] {
  const parsed = parseJsonObject(answer);
  const items = parsed && Array.isArray(parsed['metadata_map']) ? parsed['metadata_map'] : [];
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const conditions: MetadataCondition[] = [];
  for (const item of items) {
    if (!isPlainObject(item)) continue;
    const name = item['metadata_field_name'];
    const raw = item['metadata_field_value'];
    const operator = MODEL_OPERATORS[String(item['comparison_operator'] ?? '=').trim()];
    if (typeof name !== 'string' || !types.has(name) || !operator) continue;
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    const type = types.get(name);
    if (type === 'number') {
      const value = typeof raw === 'number' ? raw : Number(raw.trim());
      if (raw === '' || !Number.isFinite(value)) continue;
      conditions.push({ comparison_operator: operator.number, name, value });
    } else if (type === 'time') {
      // Times compare as dates (before/after, any date form) or, for the other operators, as epoch seconds.
      if (operator.time === 'before' || operator.time === 'after')
        conditions.push({ comparison_operator: operator.time, name, value: raw });
      else if (Number.isFinite(Number(raw)) && raw !== '')
        conditions.push({ comparison_operator: operator.time, name, value: Number(raw) });
    } else {
      const text = operator.text;
      // Text has no order: only equality, inequality and containment apply to it.
      if (!['is', 'is not', 'contains'].includes(text)) continue;
      conditions.push({ comparison_operator: text, name, value: String(raw) });
    }
  }
  return conditions;
}
