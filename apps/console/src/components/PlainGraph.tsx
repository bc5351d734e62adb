// A big run's graph (LAYERED_LAYOUT_FROM nodes and more) drawn as one plain SVG instead of with React Flow, whose
// per-node machinery (a wrapper, a store subscription and a measurement per node, a store update per change, the page's
// style and layout forced in its mount effect to read the frame's size) was a large part of a 200-node run page's
// first render. Each node is one focusable group (its status in its accessible name and its colour), all edges are
// two paths. A node's three lines of text are drawn only from a zoom where they are legible (showsText): the whole
// 200-node graph in view is drawn at a tenth of its size, where they would be a pixel high. The first view is the
// whole graph, fitted by the browser itself (viewBox and preserveAspectRatio): nothing is measured to draw it.
// Panning (dragging), zooming (wheel, buttons) and "fit" change the viewBox.
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { edgePaths, graphBounds, panBy, revealNode, shortTitle, showsText, zoomAt, zoomLimits, type ViewBox } from '../lib/graph-view';
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from '../lib/layout-cache';
import { nodeLabel, nodeStatusLine, statusColor } from '../lib/status';
import type { GraphEdge, GraphNode } from '../types';

interface PlainGraphProps {
  nodes: GraphNode[];
  edges: GraphEdge[];
  positions: Positions;
  statuses: Map<string, string>;
  durations: Map<string, number>;
  selectedNode: string | null;
  onSelect(nodeId: string): void;
}

const GraphNodes = memo(function GraphNodes({
  nodes,
  positions,
  statuses,
  durations,
  selectedNode,
  clipId,
  detailed,
  onSelect,
  onFocusNode,
}: Omit<PlainGraphProps, 'edges'> & { clipId: string; detailed: boolean; onFocusNode(nodeId: string): void }) {
  const clip = `url(#${clipId})`;
  return (
    <>
      {nodes.map((n) => {
        const position = positions.get(n.id) ?? { x: 0, y: 0 };
        const title = String(n.data.title ?? n.id);
        const status = statuses.get(n.id) ?? null;
        const duration = durations.get(n.id);
        const select = () => onSelect(n.id);
        return (
          <g
            key={n.id}
            className={`weft-graph-node${n.id === selectedNode ? ' selected' : ''}`}
            transform={`translate(${position.x} ${position.y})`}
            role="button"
            tabIndex={0}
            aria-label={nodeLabel(title, status)}
            aria-pressed={n.id === selectedNode}
            data-id={n.id}
            data-color={status ? statusColor(status) : undefined}
            data-node-status={status ?? 'not-run'}
            onClick={select}
            onKeyDown={(e: KeyboardEvent) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                select();
              }
            }}
            onFocus={() => onFocusNode(n.id)}
          >
            <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
            {detailed ? (
              <>
                <text x={10} y={21} clipPath={clip} className="weft-graph-node-title">
                  {shortTitle(title)}
                </text>
                <text x={10} y={37} clipPath={clip} className="weft-dimmed">
                  {n.data.type}
                </text>
                <text x={10} y={53} clipPath={clip}>
                  {nodeStatusLine(status, duration)}
                </text>
              </>
            ) : null}
          </g>
        );
      })}
    </>
  );
});

/** The frame's size until the browser has laid it out (.weft-graph is 420 px high). */
const ASSUMED_FRAME = { width: 1000, height: 420 };

export function PlainGraph({ nodes, edges, positions, statuses, durations, selectedNode, onSelect }: PlainGraphProps) {
  const clipId = useId();
  const svgRef = useRef<SVGSVGElement>(null);
  const fit = useMemo(() => graphBounds(positions), [positions]);
  const limits = useMemo(() => zoomLimits(fit), [fit]);
  // The page draws a graph of another shape as a new PlainGraph (its key), so the first view is the fitted one.
  const [view, setView] = useState<ViewBox>(fit);
  // The frame's size in pixels, once the browser has laid the page out (nothing is measured to draw the first view).
  const [frame, setFrame] = useState(ASSUMED_FRAME);
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setFrame({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(svg);
    return () => observer.disconnect();
  }, []);
  const detailed = showsText(view, frame);
  const paths = useMemo(() => edgePaths(edges, positions, (id) => statuses.get(id) === 'running'), [edges, positions, statuses]);

  // A point on screen in graph units (the browser's own mapping of the viewBox into the frame).
  const toGraph = useCallback((clientX: number, clientY: number) => {
    const matrix = svgRef.current?.getScreenCTM()?.inverse();
    if (!matrix) return null;
    return new DOMPoint(clientX, clientY).matrixTransform(matrix);
  }, []);

  // The wheel zooms around the pointer; its listener is not passive, so the page does not scroll meanwhile.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (e: WheelEvent) => {
      const point = toGraph(e.clientX, e.clientY);
      if (!point) return;
      e.preventDefault();
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
      setView((v) => zoomAt(v, factor, point.x, point.y, limits));
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, [toGraph, limits]);

  // Dragging the background pans (a drag that starts on a node too; a click on a node selects it).
  const drag = useRef<{ pointer: number; x: number; y: number; view: ViewBox; unit: number; moved: boolean } | null>(null);
  const dragged = useRef(false);
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    const scale = svgRef.current?.getScreenCTM()?.a;
    if (!scale) return;
    drag.current = { pointer: e.pointerId, x: e.clientX, y: e.clientY, view, unit: 1 / scale, moved: false };
    dragged.current = false;
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!d.moved) {
      d.moved = true;
      e.currentTarget.setPointerCapture(e.pointerId);
    }
    setView(panBy(d.view, -dx * d.unit, -dy * d.unit));
  };
  const onPointerUp = (e: PointerEvent<SVGSVGElement>) => {
    if (drag.current?.pointer !== e.pointerId) return;
    dragged.current = drag.current.moved;
    drag.current = null;
  };
  // A drag that moved is not a click on the node it started on.
  const select = useCallback(
    (nodeId: string) => {
      if (!dragged.current) onSelect(nodeId);
      dragged.current = false;
    },
    [onSelect],
  );
  const onFocusNode = useCallback(
    (nodeId: string) => {
      const position = positions.get(nodeId);
      if (position) setView((v) => revealNode(v, position));
    },
    [positions],
  );
  const zoomCentre = (factor: number) => setView((v) => zoomAt(v, factor, v.x + v.width / 2, v.y + v.height / 2, limits));

  return (
    <div className="weft-graph weft-plain-graph" data-testid="run-graph">
      <svg
        ref={svgRef}
        className="weft-plain-graph-canvas"
        viewBox={`${view.x} ${view.y} ${view.width} ${view.height}`}
        preserveAspectRatio="xMidYMid meet"
        role="group"
        aria-label={`Graph of the run: ${nodes.length} nodes`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        <defs>
          <clipPath id={clipId} clipPathUnits="userSpaceOnUse">
            <rect x={0} y={0} width={NODE_WIDTH - 8} height={NODE_HEIGHT} />
          </clipPath>
        </defs>
        <path className="weft-graph-edges" d={paths.idle} />
        {paths.running ? <path className="weft-graph-edges running" d={paths.running} /> : null}
        <GraphNodes
          nodes={nodes}
          positions={positions}
          statuses={statuses}
          durations={durations}
          selectedNode={selectedNode}
          clipId={clipId}
          detailed={detailed}
          onSelect={select}
          onFocusNode={onFocusNode}
        />
      </svg>
      <div className="weft-graph-controls">
        <button type="button" aria-label="Zoom in" onClick={() => zoomCentre(1.25)}>
          +
        </button>
        <button type="button" aria-label="Zoom out" onClick={() => zoomCentre(0.8)}>
          −
        </button>
        <button type="button" aria-label="Fit view" onClick={() => setView(fit)}>
          ⤢
        </button>
      </div>
    </div>
  );
}
