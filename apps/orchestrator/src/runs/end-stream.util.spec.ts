import { DslBuilder, endData } from '@weft/testing';
import { readDocument, type WorkflowGraph } from '@weft/workflow';
import { EndStream } from './end-stream.util';

const llm = {
  context: { enabled: false, variable_selector: [] },
  model: { mode: 'chat', name: 'm', provider: 'weft-mock' },
  prompt_template: [{ role: 'user', text: 'x' }],
};

function graph(outputs: Record<string, string[]>): WorkflowGraph {
  const doc = new DslBuilder('stream')
    .node('start', 'start', { variables: [] })
    .node('a', 'llm', llm)
    .node('b', 'llm', llm)
    .node('t', 'template-transform', { template: 'x', variables: [] })
    .node('end', 'end', endData(outputs))
    .edge('start', 'a')
    .edge('start', 'b')
    .edge('start', 't')
    .edge('a', 'end')
    .edge('b', 'end')
    .edge('t', 'end')
    .toDocument();
  const parsed = readDocument(doc);
  // References to nodes that are not in the graph are import warnings, so such a graph still reads.
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.app.graph!;
}

describe('EndStream', () => {
  it('streams the first output live and holds a later one until the outputs before it are resolved', () => {
    const s = new EndStream(graph({ first: ['a', 'text'], second: ['t', 'output'], third: ['b', 'text'] }));
    expect(s.chunk('a', 'A1')).toEqual([{ selector: ['a', 'text'], text: 'A1' }]);
    expect(s.chunk('b', 'B1')).toEqual([]);
    expect(s.nodeFinished('a')).toEqual([]);
    expect(s.chunk('b', 'B2')).toEqual([]);
    expect(s.nodeFinished('t')).toEqual([
      { selector: ['b', 'text'], text: 'B1' },
      { selector: ['b', 'text'], text: 'B2' },
    ]);
    expect(s.chunk('b', 'B3')).toEqual([{ selector: ['b', 'text'], text: 'B3' }]);
  });

  it('does not hold LLM text behind an output read from a node that is not in the graph (it reads as empty)', () => {
    const s = new EndStream(graph({ gone: ['removed', 'text'], sys: ['sys', 'user_id'], live: ['a', 'text'] }));
    expect(s.chunk('a', 'A1')).toEqual([{ selector: ['a', 'text'], text: 'A1' }]);
  });

  it('streams nothing for nodes no end output reads as LLM text', () => {
    const s = new EndStream(graph({ only: ['t', 'output'] }));
    expect(s.streams('a')).toBe(false);
    expect(s.chunk('a', 'x')).toEqual([]);
  });
});
