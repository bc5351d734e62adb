// Lays a big run's graph out off the page's main thread, which meanwhile draws the rest of the run page.
import type { GraphEdge, GraphNode } from '../types';
import { layoutGraph } from './graph-layout';

interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<{ nodes: GraphNode[]; edges: GraphEdge[] }>) => void): void;
  postMessage(message: [string, { x: number; y: number }][]): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.addEventListener('message', (event) => {
  scope.postMessage([...layoutGraph(event.data.nodes, event.data.edges)]);
});
