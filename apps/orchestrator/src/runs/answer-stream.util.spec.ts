import { DslBuilder } from '@weft/testing';
import { readDocument, VariablePool, type WorkflowGraph } from '@weft/workflow';
import { AnswerStream, answerSegments } from './answer-stream.util';

const llm = {
  context: { enabled: false, variable_selector: [] },
  model: { mode: 'chat', name: 'm', provider: 'weft-mock' },
  prompt_template: [{ role: 'user', text: 'x' }],
};

function parse(builder: DslBuilder): WorkflowGraph {
  const parsed = readDocument(builder.toDocument());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.app.graph!;
}

/** start → llm → answer("Hi {{#llm.text#}}!") → code → answer2("then {{#t.output#}}") */
function linear(): WorkflowGraph {
  return parse(
    new DslBuilder('chat', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('llm', 'llm', llm)
      .node('answer', 'answer', { answer: 'Hi {{#llm.text#}}!' })
      .node('t', 'template-transform', { template: 'x', variables: [] })
      .node('answer2', 'answer', { answer: ' then {{#t.output#}} for {{#sys.query#}}' })
      .chain('start', 'llm', 'answer', 't', 'answer2'),
  );
}

describe('answerSegments', () => {
  it('splits literal text and references in order', () => {
    expect(answerSegments('a {{#x.y#}}{{#sys.query#}} b')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'variable', selector: ['x', 'y'] },
      { kind: 'variable', selector: ['sys', 'query'] },
      { kind: 'text', text: ' b' },
    ]);
    expect(answerSegments('')).toEqual([]);
  });
});

describe('AnswerStream', () => {
  it('streams leading text at once, LLM tokens live, and later answers only after the earlier one finished', () => {
    const pool = new VariablePool({ system: { query: 'Q' } });
    const s = new AnswerStream(linear(), pool);
    expect(s.streams('llm')).toBe(true);
    expect(s.begin()).toEqual(['Hi ']);
    expect(s.chunk('llm', 'wor')).toEqual(['wor']);
    expect(s.chunk('llm', 'ld')).toEqual(['ld']);
    pool.setNodeOutputs('llm', { text: 'world' });
    expect(s.nodeFinished('llm')).toEqual(['!']);
    // answer2 has fixed text before t finishes, but it waits until answer has finished.
    expect(s.nodeStarted('t')).toEqual([]);
    pool.setNodeOutputs('answer', { answer: 'Hi world!' });
    expect(s.nodeFinished('answer')).toEqual([' then ']);
    pool.setNodeOutputs('t', { output: 'T' });
    expect(s.nodeFinished('t')).toEqual(['T', ' for ', 'Q']);
    pool.setNodeOutputs('answer2', { answer: ' then T for Q' });
    expect(s.nodeFinished('answer2')).toEqual([]);
    expect(s.text).toBe('Hi world! then T for Q');
  });

  it('sends the rest of the rendered answer when the node finishes with text the stream had not seen', () => {
    const pool = new VariablePool();
    const s = new AnswerStream(linear(), pool);
    s.begin();
    s.chunk('llm', 'par');
    // The model's final text differs from its chunks (e.g. a reasoning block removed): the answer node's output wins where it can.
    pool.setNodeOutputs('llm', { text: 'partial' });
    expect(s.nodeFinished('llm')).toEqual(['tial', '!']);
    pool.setNodeOutputs('answer', { answer: 'Hi partial!' });
    expect(s.nodeFinished('answer')).toEqual([' then ']);
    expect(s.text).toBe('Hi partial! then ');
  });

  it('says nothing for a branch until it is decided, and skips the answer of the branch not taken', () => {
    const graph = parse(
      new DslBuilder('branch', 'advanced-chat')
        .node('start', 'start', { variables: [] })
        .node('if', 'if-else', {
          cases: [
            {
              case_id: 'true',
              conditions: [{ comparison_operator: 'is', value: 'x', variable_selector: ['sys', 'query'] }],
              logical_operator: 'and',
            },
          ],
        })
        .node('yes', 'answer', { answer: 'Yes' })
        .node('no', 'answer', { answer: 'No' })
        .edge('start', 'if')
        .edge('if', 'yes', 'true')
        .edge('if', 'no', 'false'),
    );
    const pool = new VariablePool();
    const s = new AnswerStream(graph, pool);
    expect(s.begin()).toEqual([]);
    expect(s.nodeSkipped('yes')).toEqual([]);
    expect(s.nodeFinished('if')).toEqual(['No']);
    pool.setNodeOutputs('no', { answer: 'No' });
    expect(s.nodeFinished('no')).toEqual([]);
    expect(s.text).toBe('No');
  });

  it('waits for a conversation variable until the answer node runs, since an assigner may change it first', () => {
    const graph = parse(
      new DslBuilder('conv', 'advanced-chat')
        .conversationVariable('n', 'number', 1)
        .node('start', 'start', { variables: [] })
        .node('answer', 'answer', { answer: 'n={{#conversation.n#}}' })
        .chain('start', 'answer'),
    );
    const pool = new VariablePool({ conversation: { n: 1 } });
    const s = new AnswerStream(graph, pool);
    expect(s.begin()).toEqual(['n=']);
    pool.set(['conversation', 'n'], 2);
    pool.setNodeOutputs('answer', { answer: 'n=2' });
    expect(s.nodeFinished('answer')).toEqual(['2']);
  });
});
