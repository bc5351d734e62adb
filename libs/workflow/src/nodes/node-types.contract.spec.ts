import { SUPPORTED_NODE_TYPES } from '../dsl/dsl.types';
import {
  NODE_RUNNER_NODE_TYPES,
  NODE_TYPE_CONTRACTS,
  ORCHESTRATOR_NODE_TYPES,
  isNodeRunnerNodeType,
  nodeTypeContract,
} from './node-types.contract';

describe('node type contracts', () => {
  it('send the node types that do I/O or run user code to node runners, and keep the rest in the orchestrator', () => {
    expect([...NODE_RUNNER_NODE_TYPES].sort()).toEqual([
      'agent',
      'code',
      'document-extractor',
      'http-request',
      'knowledge-retrieval',
      'llm',
      'parameter-extractor',
      'question-classifier',
      'tool',
    ]);
    expect([...ORCHESTRATOR_NODE_TYPES, ...NODE_RUNNER_NODE_TYPES].sort()).toEqual([...SUPPORTED_NODE_TYPES].sort());
    expect(ORCHESTRATOR_NODE_TYPES.filter((type) => isNodeRunnerNodeType(type))).toEqual([]);
  });

  it('pair each container with the marker its body starts at, and place every marker in a container', () => {
    for (const [type, contract] of Object.entries(NODE_TYPE_CONTRACTS)) {
      if (contract.role === 'container') {
        const start = nodeTypeContract(contract.bodyStart);
        expect({ type, start: start?.role === 'marker' ? start.container : start?.role }).toEqual({ type, start: type });
      }
      if (contract.role === 'marker') {
        expect({ type, container: nodeTypeContract(contract.container)?.role }).toEqual({ type, container: 'container' });
      }
    }
  });

  it('name each fixed output once', () => {
    for (const [type, contract] of Object.entries(NODE_TYPE_CONTRACTS)) {
      const names = contract.outputs.map((output) => output.name);
      expect({ type, names: [...new Set(names)] }).toEqual({ type, names });
    }
  });

  it('know no node type by a name inherited from Object', () => {
    const inherited = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];
    expect(inherited.map(nodeTypeContract)).toEqual(inherited.map(() => undefined));
    expect(isNodeRunnerNodeType('constructor')).toBe(false);
  });
});
