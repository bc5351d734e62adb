import { nodeTypeContract } from '../nodes/node-types.contract';
import type { NodeTypeContract, ReferenceReader, ReferenceScope } from '../nodes/node-type.types';
import { extractTemplateSelectors } from '../variables';
import type { DraftNode } from './dsl-draft.types';
import { asList, asRecord } from './dsl-value.util';

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

/** Every variable a node's data reads, as its type's contract reports them; unsupported types yield nothing. */
export function collectReferences(node: DraftNode): { invalid: InvalidSelector[]; references: NodeReference[] } {
  const references: NodeReference[] = [];
  const invalid: InvalidSelector[] = [];
  const reader: ReferenceReader = {
    selector: (value, path, scope = 'normal') => {
      // An empty or missing selector is a field the author left unset; Dify reads it as "no value".
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
      if (!Array.isArray(value) || value.length < 2 || !value.every((part) => typeof part === 'string' || typeof part === 'number')) {
        invalid.push({ path: `data.${path}`, value });
        return;
      }
      const parts = value.map(String);
      references.push({ path: `data.${path}`, scope, selector: parts, text: `"${parts.join('.')}"` });
    },
    template: (value, path) => {
      // `{{#context#}}` is not extracted: it is the llm node's retrieved context, not a variable.
      if (typeof value !== 'string') return;
      for (const parts of extractTemplateSelectors(value)) {
        references.push({ path: `data.${path}`, scope: 'normal', selector: parts, text: `{{#${parts.join('.')}#}}` });
      }
    },
    conditions: (value, path, scope) => {
      asList(value).forEach((condition, i) => {
        const entry = asRecord(condition);
        reader.selector(entry.variable_selector, `${path}[${i}].variable_selector`, scope);
        reader.template(entry.value, `${path}[${i}].value`);
      });
    },
    vision: (data) => {
      const config = asRecord(data.vision);
      if (config.enabled === true) reader.selector(asRecord(config.configs).variable_selector, 'vision.configs.variable_selector');
    },
  };
  nodeTypeContract(node.type)?.readReferences?.(node.data, reader);
  return { invalid, references };
}

/**
 * What a node makes available to nodes after it, or `null` when Weft cannot know (types it does not
 * run). A container's inside-only variables (`item`, `index`) are in `containerInsideOutputs`.
 */
export function nodeOutputs(node: DraftNode): string[] | null {
  const contract = nodeTypeContract(node.type);
  if (!contract) return null;
  const own = ownOutputs(contract, node);
  // A node with an error strategy also offers what went wrong, to its fail branch or after default values.
  const strategy = node.data.error_strategy;
  if (strategy === 'fail-branch' || strategy === 'default-value') return [...own, 'error_message', 'error_type'];
  return own;
}

function ownOutputs(contract: NodeTypeContract, node: DraftNode): string[] {
  return contract.outputNames ? contract.outputNames(node.data) : contract.outputs.map((output) => output.name);
}

/** Variables a container offers only to the nodes inside it: the current item and index, or the loop variables. */
export function containerInsideOutputs(node: DraftNode): string[] {
  const contract = nodeTypeContract(node.type);
  return contract?.role === 'container' ? contract.insideOutputs(node.data) : [];
}
