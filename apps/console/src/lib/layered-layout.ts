// A big run's graph laid out left to right in a few milliseconds, on the page itself, so the graph is drawn in the
// run page's first render. dagre (graph-layout.ts) took ~400 ms for a 200-node run, in a worker that competed with
// the page for the machine's cores; this is the same layered drawing, with simpler steps:
// - columns (ranks) by longest path, as dagre's longest-path ranker: a node sits one column before the closest of
//   its successors, so a short branch's nodes sit next to where it joins;
// - the order within a column by the barycenter heuristic (a few sweeps each way, the order with fewest crossings
//   kept), as dagre's ordering phase without its refinements;
// - rows: each node near the mean of its neighbours in the column before (then after), nodes of a column never
//   overlapping and keeping their order.
// Cycles (a workflow graph has none, but a DSL may say anything) are broken by ignoring the edges that close one.
import type { GraphEdge, GraphNode } from '../types';
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from './layout-cache';

const NODE_SEP = 24;
const RANK_SEP = 60;
const MARGIN = 10;
const SWEEPS = 4;

export function layeredLayout(nodes: GraphNode[], edges: GraphEdge[]): Positions {
  const ids = [...new Set(nodes.map((n) => n.id))];
  const index = new Map(ids.map((id, i) => [id, i]));
  const count = ids.length;
  const out: number[][] = ids.map(() => []);
  const seen = new Set<string>();
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t || seen.has(`${s} ${t}`)) continue;
    seen.add(`${s} ${t}`);
    out[s]!.push(t);
  }

  // Edges that close a cycle are left out (depth-first search, iterative: a long chain must not overflow the stack).
  const state = new Uint8Array(count); // 0 new, 1 on the path, 2 done
  const succ: number[][] = ids.map(() => []);
  for (let root = 0; root < count; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      if (i < out[v]!.length) {
        top[1] = i + 1;
        const w = out[v]![i]!;
        if (state[w] === 1) continue; // back edge
        succ[v]!.push(w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  const pred: number[][] = ids.map(() => []);
  for (let v = 0; v < count; v++) for (const w of succ[v]!) pred[w]!.push(v);

  // Longest-path ranks, from the sinks back (reverse topological order), then shifted to start at 0.
  const topo: number[] = [];
  const indegree = pred.map((p) => p.length);
  for (let v = 0; v < count; v++) if (indegree[v] === 0) topo.push(v);
  for (let i = 0; i < topo.length; i++) for (const w of succ[topo[i]!]!) if (--indegree[w]! === 0) topo.push(w);
  const rank = new Array<number>(count).fill(0);
  for (let i = topo.length - 1; i >= 0; i--) {
    const v = topo[i]!;
    if (succ[v]!.length > 0) rank[v] = smallest(succ[v]!.map((w) => rank[w]!)) - 1;
  }
  const minRank = smallest(rank);
  const ranks: number[][] = [];
  // First order: as met going forward from the sources (depth first), which keeps a branch's nodes together.
  const placed = new Uint8Array(count);
  const visit = (start: number) => {
    const stack = [start];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (placed[v]) continue;
      placed[v] = 1;
      (ranks[rank[v]! - minRank] ??= []).push(v);
      for (let k = succ[v]!.length - 1; k >= 0; k--) if (!placed[succ[v]![k]!]) stack.push(succ[v]![k]!);
    }
  };
  for (const v of topo) if (pred[v]!.length === 0) visit(v);
  for (let v = 0; v < count; v++) visit(v);
  for (let r = 0; r < ranks.length; r++) ranks[r] ??= [];

  // Ordering: barycenter sweeps, keeping the order with the fewest crossings.
  const pos = new Array<number>(count).fill(0);
  const renumber = (layers: number[][]) => layers.forEach((layer) => layer.forEach((v, i) => (pos[v] = i)));
  renumber(ranks);
  let best = ranks.map((layer) => [...layer]);
  let bestCrossings = crossings(ranks, succ, pos, rank);
  for (let sweep = 0; sweep < SWEEPS && bestCrossings > 0; sweep++) {
    const down = sweep % 2 === 0;
    for (let k = 1; k < ranks.length; k++) {
      const r = down ? k : ranks.length - 1 - k;
      const neighbours = down ? pred : succ;
      const bary = new Map<number, number>();
      for (const v of ranks[r]!) {
        const ns = neighbours[v]!;
        bary.set(v, ns.length > 0 ? ns.reduce((sum, w) => sum + pos[w]!, 0) / ns.length : pos[v]!);
      }
      ranks[r]!.sort((a, b) => bary.get(a)! - bary.get(b)! || pos[a]! - pos[b]!);
      ranks[r]!.forEach((v, i) => (pos[v] = i));
    }
    const c = crossings(ranks, succ, pos, rank);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = ranks.map((layer) => [...layer]);
    }
  }
  renumber(best);

  // Rows: start stacked, then each column is drawn towards its neighbours in the column before, then after.
  const step = NODE_HEIGHT + NODE_SEP;
  const y = new Array<number>(count).fill(0);
  for (const layer of best) layer.forEach((v, i) => (y[v] = (i - (layer.length - 1) / 2) * step));
  const align = (layer: number[], neighbours: number[][]) => {
    const wanted = layer.map((v) => {
      const ns = neighbours[v]!;
      return ns.length > 0 ? ns.reduce((sum, w) => sum + y[w]!, 0) / ns.length : y[v]!;
    });
    // In order, no closer than a node's height plus the gap, then the whole column moved to where it is wanted on average.
    const placedY = [...wanted];
    for (let i = 1; i < placedY.length; i++) placedY[i] = Math.max(placedY[i]!, placedY[i - 1]! + step);
    const shift = wanted.reduce((sum, w, i) => sum + w - placedY[i]!, 0) / Math.max(layer.length, 1);
    layer.forEach((v, i) => (y[v] = placedY[i]! + shift));
  };
  for (let r = 1; r < best.length; r++) align(best[r]!, pred);
  for (let r = best.length - 2; r >= 0; r--) align(best[r]!, succ);

  const top = smallest(y);
  const positions: Positions = new Map();
  for (let v = 0; v < count; v++)
    positions.set(ids[v]!, { x: MARGIN + (rank[v]! - minRank) * (NODE_WIDTH + RANK_SEP), y: MARGIN + y[v]! - top });
  return positions;
}

/**
 * The smallest number of a list, 0 for none. Not `Math.min(...list)`: spreading passes one argument per element,
 * and a graph with a node of 100,000 successors would overflow the call stack.
 */
function smallest(list: number[]): number {
  let min = list.length > 0 ? Infinity : 0;
  for (const n of list) if (n < min) min = n;
  return min;
}

/**
 * Edge crossings between neighbouring columns for the order `pos`: per pair of columns, the edges sorted by their
 * source's row, then the pairs whose target rows are in the opposite order counted with a Fenwick tree, so a column
 * of thousands of edges costs thousands of steps, not millions (a DSL may describe any graph).
 */
export function crossings(ranks: number[][], succ: number[][], pos: number[], rank: number[]): number {
  let total = 0;
  for (let r = 0; r + 1 < ranks.length; r++) {
    const width = ranks[r + 1]!.length;
    const pairs: [number, number][] = [];
    for (const v of ranks[r]!) for (const w of succ[v]!) if (rank[w] === rank[v]! + 1) pairs.push([pos[v]!, pos[w]!]);
    pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    // tree[i]: how many edges seen so far end at target rows in i's range (1-based).
    const tree = new Array<number>(width + 1).fill(0);
    let seen = 0;
    for (let i = 0; i < pairs.length;) {
      // Edges from one source never cross each other: the whole group is counted before any of it is added.
      let j = i;
      for (; j < pairs.length && pairs[j]![0] === pairs[i]![0]; j++) {
        let atOrBelow = 0;
        for (let k = pairs[j]![1] + 1; k > 0; k -= k & -k) atOrBelow += tree[k]!;
        total += seen - atOrBelow; // earlier sources whose edges end on a later row
      }
      for (; i < j; i++, seen++) for (let k = pairs[i]![1] + 1; k <= width; k += k & -k) tree[k]!++;
    }
  }
  return total;
}
