// A small run's graph (under LAYERED_LAYOUT_FROM nodes), drawn by React Flow at dagre's positions. Its own chunk,
// with React Flow's: loaded only for a small graph (a big one is drawn by PlainGraph.tsx), so a big run's page does
// not fetch, compile and run React Flow before it can draw.
import { useComputedColorScheme } from '@mantine/core';
import { Background, Controls, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, useCallback, useMemo } from 'react';
import { NODE_HEIGHT, NODE_WIDTH } from '../lib/layout-cache';
import { nodeLabel, nodeStatusLine, statusColor } from '../lib/status';
import type { RunDetail } from '../types';

interface FlowNodeData extends Record<string, unknown> {
  title: string;
  type: string;
  status: string | null;
  duration: number | null;
  selected: boolean;
}

// Plain elements, not Mantine components: a run page may draw hundreds of these at once. The two handles too are
// plain markup with React Flow's classes, not its Handle component (which subscribes each one to the flow's store:
// 400 subscriptions for a 200-node run that cannot be edited): the edges are placed from NODE_HANDLES below.
const FlowNode = memo(function FlowNode({ data }: NodeProps<Node<FlowNodeData>>) {
  // Colours come from classes keyed by data-color (console.css), not from custom properties set on each element:
  // an element that sets a custom property gets its own copy of Mantine's hundreds of inherited ones.
  return (
    <div
      className={`weft-flow-node${data.selected ? ' selected' : ''}`}
      data-color={data.status ? statusColor(data.status) : undefined}
      data-node-status={data.status ?? 'not-run'}
    >
      <div className="react-flow__handle react-flow__handle-left target" data-handlepos="left" />
      <div className="weft-flow-node-title">{data.title}</div>
      <div className="weft-flow-node-line weft-dimmed">{data.type}</div>
      <div className="weft-flow-node-line">{nodeStatusLine(data.status, data.duration)}</div>
      <div className="react-flow__handle react-flow__handle-right source" data-handlepos="right" />
    </div>
  );
});

const NODE_TYPES = { run: FlowNode };
const FIT_VIEW_OPTIONS = { maxZoom: 1 };
const PRO_OPTIONS = { hideAttribution: true };
// Where each node's two handles are (React Flow's default handle: 6 px, centred on the node's left or right side).
// Given with the node's size, React Flow draws the edges in its first render and does not render the graph again
// once it has measured the nodes (it finds the same size and handles).
const HANDLE_SIZE = 6;
const NODE_HANDLES: NonNullable<Node['handles']> = [
  {
    type: 'target',
    position: Position.Left,
    x: -HANDLE_SIZE / 2,
    y: NODE_HEIGHT / 2 - HANDLE_SIZE / 2,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  },
  {
    type: 'source',
    position: Position.Right,
    x: NODE_WIDTH - HANDLE_SIZE / 2,
    y: NODE_HEIGHT / 2 - HANDLE_SIZE / 2,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  },
];
const NODE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };

/** The graph drawn by React Flow: pan, zoom, a node's click selects it. */
export default function FlowGraph({
  run,
  positions,
  statuses,
  durations,
  selectedNode,
  onSelect,
}: {
  run: RunDetail;
  positions: Map<string, { x: number; y: number }>;
  statuses: Map<string, string>;
  durations: Map<string, number>;
  selectedNode: string | null;
  onSelect(nodeId: string): void;
}) {
  const scheme = useComputedColorScheme('light');
  const nodes = useMemo<Node<FlowNodeData>[]>(
    () =>
      run.graph.nodes.map((n) => ({
        id: n.id,
        type: 'run',
        position: positions.get(n.id) ?? { x: 0, y: 0 },
        // Known sizes and handles: React Flow draws the nodes and edges at once instead of hiding them until it has
        // measured them, then rendering everything again.
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        measured: NODE_SIZE,
        handles: NODE_HANDLES,
        ariaLabel: nodeLabel(String(n.data.title ?? n.id), statuses.get(n.id)),
        data: {
          title: String(n.data.title ?? n.id),
          type: n.data.type,
          status: statuses.get(n.id) ?? null,
          duration: durations.get(n.id) ?? null,
          selected: n.id === selectedNode,
        },
      })),
    [run.graph.nodes, positions, statuses, durations, selectedNode],
  );
  const edges = useMemo<Edge[]>(
    () =>
      run.graph.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        animated: statuses.get(e.source) === 'running' || statuses.get(e.target) === 'running',
        // Edges are not clickable here: no invisible wide path beside each one (hundreds fewer elements).
        interactionWidth: 0,
      })),
    [run.graph.edges, statuses],
  );
  const onNodeClick = useCallback((_: unknown, node: Node) => onSelect(node.id), [onSelect]);
  return (
    <div className="weft-graph" data-testid="run-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        colorMode={scheme}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={onNodeClick}
        proOptions={PRO_OPTIONS}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
