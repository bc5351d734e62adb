// The big graphs' layout (layered-layout.ts): every node placed, flowing left to right, no two nodes on top of each
// other, branches untangled, cycles survived, and any graph a DSL can describe handled (how quick it is: the render
// bench, scripts/console-render-bench.mjs).
import type { GraphEdge, GraphNode } from '../types';
import { layoutGraph } from './graph-layout';
import { crossings, layeredLayout } from './layered-layout';
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from './layout-cache';

const node = (id: string): GraphNode => ({ id, data: { type: 'code', title: id } });
const edge = (source: string, target: string): GraphEdge => ({ id: `${source}-${target}`, source, target });

/** The render bench's run (scripts/console-render-bench.mjs): groups of four three-node branches joining again. */
function benchGraph(size: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = [node('start')];
  const edges: GraphEdge[] = [];
  let previous = 'start';
  let n = 1;
  while (n < size - 1) {
    const join = `join${n}`;
    for (let b = 0; b < 4 && n < size - 2; b++) {
      let last = previous;
      for (let k = 0; k < 3 && n < size - 2; k++, n++) {
        nodes.push(node(`n${n}`));
        edges.push(edge(last, `n${n}`));
        last = `n${n}`;
      }
      edges.push(edge(last, join));
    }
    nodes.push(node(join));
    n++;
    previous = join;
  }
  nodes.push(node('end'));
  edges.push(edge(previous, 'end'));
  return { nodes, edges };
}

function overlaps(positions: Positions): string[] {
  const list = [...positions];
  const found: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const [a, p] = list[i]!;
      const [b, q] = list[j]!;
      if (Math.abs(p.x - q.x) < NODE_WIDTH && Math.abs(p.y - q.y) < NODE_HEIGHT) found.push(`${a}/${b}`);
    }
  return found;
}

function crossingsOf(positions: Positions, edges: GraphEdge[]): number {
  let total = 0;
  for (let i = 0; i < edges.length; i++)
    for (let j = i + 1; j < edges.length; j++) {
      const [a, b] = [edges[i]!, edges[j]!];
      const [a1, a2, b1, b2] = [positions.get(a.source)!, positions.get(a.target)!, positions.get(b.source)!, positions.get(b.target)!];
      // Only edges between the same two columns can be compared by their ends' rows.
      if (a1.x !== b1.x || a2.x !== b2.x) continue;
      if ((a1.y - b1.y) * (a2.y - b2.y) < 0) total++;
    }
  return total;
}

describe('layered layout', () => {
  it('places every node of a 200-node run left to right, without overlaps or crossings', () => {
    const { nodes, edges } = benchGraph(200);
    const positions = layeredLayout(nodes, edges);
    expect(positions.size).toBe(200);
    for (const e of edges) expect(positions.get(e.target)!.x).toBeGreaterThan(positions.get(e.source)!.x);
    expect(overlaps(positions)).toEqual([]);
    expect(crossingsOf(positions, edges)).toBe(0);
    // Every position is inside the margin (React Flow takes top-left corners).
    for (const p of positions.values()) {
      expect(p.x).toBeGreaterThanOrEqual(10);
      expect(p.y).toBeGreaterThanOrEqual(10);
    }
  });

  it('uses the same columns as dagre with its longest-path ranker', () => {
    const { nodes, edges } = benchGraph(60);
    const ours = layeredLayout(nodes, edges);
    const dagres = layoutGraph(nodes, edges);
    const columns = (positions: Positions) => {
      const xs = [...new Set([...positions.values()].map((p) => Math.round(p.x)))].sort((a, b) => a - b);
      return nodes.map((n) => xs.indexOf(Math.round(positions.get(n.id)!.x)));
    };
    expect(columns(ours)).toEqual(columns(dagres));
  });

  it('puts a short branch next to where it joins, and a node with several inputs between them', () => {
    // a → b → c → d, and a → d directly: the direct edge spans the columns; x → d is a one-node branch.
    const positions = layeredLayout(['a', 'b', 'c', 'd', 'x'].map(node), [
      edge('a', 'b'),
      edge('b', 'c'),
      edge('c', 'd'),
      edge('a', 'd'),
      edge('x', 'd'),
    ]);
    expect(positions.get('x')!.x).toBe(positions.get('c')!.x);
    expect(positions.get('d')!.x).toBeGreaterThan(positions.get('c')!.x);
    expect(overlaps(positions)).toEqual([]);
  });

  it('survives cycles, self-loops, repeated edges and edges to nodes that do not exist', () => {
    const positions = layeredLayout(['a', 'b', 'c', 'a'].map(node), [
      edge('a', 'b'),
      edge('b', 'c'),
      edge('c', 'a'),
      edge('b', 'b'),
      edge('a', 'b'),
      edge('a', 'ghost'),
      edge('ghost', 'c'),
    ]);
    expect([...positions.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(positions.get('b')!.x).toBeGreaterThan(positions.get('a')!.x);
    expect(positions.get('c')!.x).toBeGreaterThan(positions.get('b')!.x);
    for (const p of positions.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });

  it('lays out a chain of thousands of nodes (no recursion to overflow) and an empty graph', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `n${i}`);
    const positions = layeredLayout(
      ids.map(node),
      ids.slice(1).map((id, i) => edge(ids[i]!, id)),
    );
    expect(positions.size).toBe(5000);
    expect(positions.get('n4999')!.x).toBeGreaterThan(positions.get('n0')!.x);
    expect(layeredLayout([], []).size).toBe(0);
  });

  it('lays out a node with 150,000 successors (no argument list or pairwise count as long as a column)', () => {
    const ids = Array.from({ length: 150_000 }, (_, i) => `leaf${i}`);
    const positions = layeredLayout(
      [node('root'), ...ids.map(node)],
      ids.map((id) => edge('root', id)),
    );
    expect(positions.size).toBe(150_001);
    expect(positions.get('leaf149999')!.x).toBeGreaterThan(positions.get('root')!.x);
  });

  it('counts crossings between neighbouring columns as comparing every pair of edges would', () => {
    // Random two-column graphs: the tree count against the pairwise definition (opposite order at both ends).
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 50; round++) {
      const left = 1 + random(8);
      const right = 1 + random(8);
      const succ: number[][] = Array.from({ length: left + right }, () => []);
      for (let e = random(20); e > 0; e--) {
        const [v, w] = [random(left), left + random(right)];
        if (!succ[v]!.includes(w)) succ[v]!.push(w);
      }
      const ranks = [Array.from({ length: left }, (_, i) => i), Array.from({ length: right }, (_, i) => left + i)];
      const pos = [...ranks[0]!.map((_, i) => i), ...ranks[1]!.map((_, i) => i)];
      const rank = [...ranks[0]!.map(() => 0), ...ranks[1]!.map(() => 1)];
      const edges = succ.flatMap((ws, v) => ws.map((w) => [pos[v]!, pos[w]!] as const));
      let expected = 0;
      for (let i = 0; i < edges.length; i++)
        for (let j = i + 1; j < edges.length; j++) if ((edges[i]![0] - edges[j]![0]) * (edges[i]![1] - edges[j]![1]) < 0) expected++;
      expect(crossings(ranks, succ, pos, rank)).toBe(expected);
    }
  });

  it('keeps nodes with no edges apart', () => {
    const positions = layeredLayout(['a', 'b', 'c'].map(node), []);
    expect(overlaps(positions)).toEqual([]);
  });
});
