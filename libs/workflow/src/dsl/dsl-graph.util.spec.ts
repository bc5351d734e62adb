import { buildAdjacency, findCycles, reachable } from './dsl-graph.util';

function cyclesOf(ids: string[], edges: [string, string][]): string[][] {
  return findCycles(
    ids,
    buildAdjacency(
      ids,
      edges.map(([source, target]) => ({ source, target })),
    ).successors,
  );
}

describe('graph utilities', () => {
  it('finds no cycle in a graph whose branches meet again', () => {
    expect(
      cyclesOf(
        ['a', 'b', 'c', 'd'],
        [
          ['a', 'b'],
          ['a', 'c'],
          ['b', 'd'],
          ['c', 'd'],
        ],
      ),
    ).toEqual([]);
  });

  it('finds each cycle once, with its nodes in the order given', () => {
    expect(
      cyclesOf(
        ['a', 'b', 'c', 'd', 'e'],
        [
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['c', 'd'],
          ['d', 'e'],
          ['e', 'd'],
        ],
      ),
    ).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('finds a node with an edge to itself', () => {
    expect(
      cyclesOf(
        ['a', 'b'],
        [
          ['a', 'b'],
          ['b', 'b'],
        ],
      ),
    ).toEqual([['b']]);
  });

  it('handles a chain far longer than the call stack allows', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i): [string, string] => [ids[i], id]);
    expect(cyclesOf(ids, edges)).toEqual([]);
    expect(cyclesOf(ids, [...edges, [ids[ids.length - 1], ids[0]]])[0]).toHaveLength(200_000);
  });

  it('lists what is reachable, not counting the start unless a cycle returns to it', () => {
    const { predecessors, successors } = buildAdjacency(
      ['a', 'b', 'c', 'd'],
      [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
      ],
    );
    expect([...reachable('a', successors)].sort()).toEqual(['b', 'c']);
    expect([...reachable('c', predecessors)].sort()).toEqual(['a', 'b']);
    expect([...reachable('d', successors)]).toEqual([]);
  });
});
