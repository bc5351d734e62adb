import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { isPlainObject, renderTemplate, renderValue } from '@weft/workflow';
import type { ChatProviderSource } from '../../providers/chat-providers.service';
import type { ChatMessage } from '../../providers/provider.types';
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

interface ClassConfig {
  id: string;
  name: string;
  label: string;
}

const SYSTEM_PROMPT = `### Job Description
You are a text classification engine that analyzes text data and assigns categories based on user input or automatically determined categories.
### Task
Your task is to assign one category ONLY to the input text and only one category may be assigned returned in the output. Additionally, you need to extract the key words from the text that are related to the classification.
### Format
The input text is in the variable input_text. Categories are specified as a category list with two fields category_id and category_name in the variable categories. Classification instructions may be included to improve the classification accuracy.
### Constraint
DO NOT include anything other than the JSON object {"keywords": [...], "category_id": "...", "category_name": "..."} in your response.`;

/**
 * The question-classifier node: asks the model to pick one class for the query as a JSON answer
 * (constrained to the class ids where the provider supports JSON schemas) and takes the edge of that
 * class. An answer that names no known class falls back to the first class, as Dify does.
 */
export class QuestionClassifierExecutor implements NodeJobExecutor {
  constructor(private readonly providers: ChatProviderSource) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const data = job.data;
    const model = readModelConfig(data);
    if ('error' in model) return failed('QuestionClassifierNodeError', model.error);
    const selector = asSelector(data['query_variable_selector']);
    const query = renderValue(selector ? ctx.pool.get(selector) : undefined);
    const inputs = { query };
    const classes = readClasses(data['classes']);
    if (classes.length === 0) return failed('QuestionClassifierNodeError', 'The question classifier has no classes.', { inputs });
    const instruction = typeof data['instruction'] === 'string' ? renderTemplate(data['instruction'], ctx.pool) : '';

    const history = historyMessages(jobHistory(job, readMemory(data)));
    const messages: ChatMessage[] = withHistoryBeforeLastUser(
      [
        { role: 'system', content: SYSTEM_PROMPT },
        {
          role: 'user',
          content: JSON.stringify({
            input_text: [query],
            categories: classes.map((c) => ({ category_id: c.id, category_name: c.name })),
            classification_instructions: instruction ? [instruction] : [],
          }),
        },
      ],
      history,
    );
    const schema = {
      type: 'object',
      properties: {
        keywords: { type: 'array', items: { type: 'string' } },
        category_id: { type: 'string', enum: classes.map((c) => c.id) },
        category_name: { type: 'string' },
      },
      required: ['category_id'],
    };
    const processData = modelProcessData(model, messages);

    let call: ModelCall;
    try {
      call = await callModel(
        this.providers,
        job,
        model,
        { messages, responseFormat: { type: 'json_schema', name: 'classification', schema } },
        { signal: ctx.signal },
      );
    } catch (error) {
      return modelFailure(error, { inputs, processData });
    }

    const chosen = pickClass(classes, parseJsonObject(call.result.text));
    return succeeded({
      edgeSourceHandle: chosen.id,
      inputs,
      metadata: usageMetadata(call.usage),
      outputs: { class_name: chosen.name, class_id: chosen.id, class_label: chosen.label, usage: call.usage },
      processData: { ...processData, finish_reason: call.result.finishReason, usage: call.usage },
    });
  }
}

function readClasses(value: unknown): ClassConfig[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isPlainObject).flatMap((c) => {
    const id = typeof c['id'] === 'number' ? String(c['id']) : c['id'];
    if (typeof id !== 'string' || id === '') return [];
    const name = typeof c['name'] === 'string' ? c['name'] : '';
    return [{ id, name, label: typeof c['label'] === 'string' && c['label'] ? c['label'] : name }];
  });
}

/** The class the answer names by id (or, failing that, by name); the first class otherwise. */
function pickClass(classes: ClassConfig[], answer: Record<string, unknown> | undefined): ClassConfig {
  const id = answer?.['category_id'];
  const byId = classes.find((c) => (typeof id === 'string' || typeof id === 'number') && c.id === String(id));
  if (byId) return byId;
  const name = answer?.['category_name'];
  const byName = typeof name === 'string' ? classes.find((c) => c.name.trim().toLowerCase() === name.trim().toLowerCase()) : undefined;
  return byName ?? classes[0];
}
