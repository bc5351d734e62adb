import type { NodeExecution } from '../types';
import { parseSse } from './sse';
import { buildTimeline, nodeStatuses, totals } from './timeline';

let next = 0;
function exec(nodeId: string, over: Partial<NodeExecution> = {}): NodeExecution {
  next += 1;
  return {
    id: `e${next}`,
    index: next,
    predecessor_node_id: null,
    node_id: nodeId,
    node_type: 'code',
    title: nodeId,
    inputs: null,
    process_data: null,
    outputs: null,
    status: 'succeeded',
    error: null,
    elapsed_time: 1,
    execution_metadata: null,
    created_at: 1000,
    finished_at: 1001,
    ...over,
  };
}

describe('the run page timeline', () => {
  it('places each execution by its start offset and duration, on an axis as long as the run', () => {
    const t = buildTimeline(
      [exec('start', { created_at: 1000, elapsed_time: 0.2 }), exec('llm', { created_at: 1002, elapsed_time: 3 })],
      1000,
      4,
      2000,
    );
    expect(t.rows.map((r) => [r.execution.node_id, r.start, r.duration])).toEqual([
      ['start', 0, 0.2],
      ['llm', 2, 3],
    ]);
    expect(t.span).toBe(5);
  });

  it('starts a node no earlier than its predecessor ended when the recorded times are whole seconds', () => {
    const a = exec('a', { created_at: 1000, elapsed_time: 0.2 });
    const b = exec('b', { created_at: 1000, elapsed_time: 0.3, predecessor_node_id: 'a' });
    const c = exec('c', { created_at: 1000, elapsed_time: 0.1, predecessor_node_id: 'a' });
    const late = exec('d', { created_at: 1002, elapsed_time: 0.1, predecessor_node_id: 'b' });
    const rows = buildTimeline([a, b, c, late], 1000, 2.1, 2000).rows;
    expect(rows.map((r) => [r.execution.node_id, Number(r.start.toFixed(3))])).toEqual([
      ['a', 0],
      ['b', 0.2],
      ['c', 0.2],
      ['d', 2],
    ]);
  });

  it('nests an iteration’s executions under the iteration in round order, and collapses them on demand', () => {
    const it1 = exec('loop', { node_type: 'iteration' });
    const a1 = exec('inner', { execution_metadata: { iteration_id: 'loop', iteration_index: 1 } });
    const a0 = exec('inner', { execution_metadata: { iteration_id: 'loop', iteration_index: 0 } });
    const after = exec('end');
    const open = buildTimeline([after, a1, it1, a0], 1000, 2, 2000);
    expect(open.rows.map((r) => [r.execution.id, r.depth, r.round])).toEqual([
      [it1.id, 0, null],
      [a0.id, 1, 0],
      [a1.id, 1, 1],
      [after.id, 0, null],
    ]);
    expect(open.rows[0]!.children).toBe(2);
    const closed = buildTimeline([after, a1, it1, a0], 1000, 2, 2000, new Set(['loop']));
    expect(closed.rows.map((r) => r.execution.id)).toEqual([it1.id, after.id]);
  });

  it('labels parallel branches and retries, and measures a running node until now', () => {
    const b1 = exec('a', { execution_metadata: { parallel_id: 'p', parallel_start_node_id: 'a' } });
    const b2 = exec('b', { execution_metadata: { parallel_id: 'p', parallel_start_node_id: 'b', retry_index: 2 } });
    const running = exec('c', { status: 'running', elapsed_time: 0, finished_at: null, created_at: 1010 });
    const rows = buildTimeline([b1, b2, running], 1000, 0, 1013).rows;
    expect(rows.map((r) => [r.branch, r.retry])).toEqual([
      ['a', null],
      ['b', 2],
      [null, null],
    ]);
    expect(rows[2]!.duration).toBe(3);
  });

  it('colours a graph node by its last execution, a failure anywhere winning, and adds up tokens and cost', () => {
    const list = [
      exec('x', { status: 'failed' }),
      exec('x', { status: 'succeeded' }),
      exec('y', { status: 'running' }),
      exec('y', { status: 'succeeded', execution_metadata: { total_tokens: 10, total_price: '0.5', currency: 'USD' } }),
      exec('z', { execution_metadata: { total_tokens: 5, total_price: 0.25 } }),
    ];
    expect(Object.fromEntries(nodeStatuses(list))).toEqual({ x: 'failed', y: 'succeeded', z: 'succeeded' });
    expect(totals(list)).toEqual({ tokens: 15, price: 0.75, currency: 'USD' });
  });
});

describe('reading server-sent events', () => {
  it('answers complete events and keeps a partial one for the next chunk', () => {
    const first = parseSse('data: {"event":"workflow_started","task_id":"t"}\n\nevent: ping\n\ndata: {"event":"node_');
    expect(first.events).toEqual([{ event: 'workflow_started', task_id: 't' }]);
    const second = parseSse(`${first.rest}started"}\r\n\r\n`);
    expect(second.events).toEqual([{ event: 'node_started' }]);
    expect(second.rest).toBe('');
  });
});
