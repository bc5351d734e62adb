import type { NodeTypeContract } from './node-type.types';

/** The document-extractor node: the text of a file, or one text per file of a list (so `text` is a string or a list). */
export const DOCUMENT_EXTRACTOR_NODE_CONTRACT = {
  outputs: [{ name: 'text', type: 'any' }],
  readReferences: (data, read) => read.selector(data.variable_selector, 'variable_selector'),
  role: 'step',
  runsIn: 'node-runner',
} as const satisfies NodeTypeContract;
