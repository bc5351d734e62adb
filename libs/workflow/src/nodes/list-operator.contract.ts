import type { NodeTypeContract } from './node-type.types';

/** The list-operator node: filters, extracts from, orders and limits an array variable. */
export const LIST_OPERATOR_NODE_CONTRACT = {
  outputs: [
    { name: 'result', type: 'array[any]' },
    { name: 'first_record', type: 'any' },
    { name: 'last_record', type: 'any' },
  ],
  readReferences: (data, read) => read.selector(data.variable, 'variable'),
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
