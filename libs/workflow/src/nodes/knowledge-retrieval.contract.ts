import type { NodeTypeContract } from './node-type.types';

/** The knowledge-retrieval node: searches the workspace's datasets for its query. */
export const KNOWLEDGE_RETRIEVAL_NODE_CONTRACT = {
  outputs: [{ name: 'result', type: 'array[object]' }],
  readReferences: (data, read) => {
    read.selector(data.query_variable_selector, 'query_variable_selector');
    read.selector(data.query_attachment_selector, 'query_attachment_selector');
  },
  role: 'step',
  runsIn: 'node-runner',
} as const satisfies NodeTypeContract;
