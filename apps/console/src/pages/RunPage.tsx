import { Alert, Anchor, Badge, Button, Drawer, Group, Paper, SimpleGrid, Stack, Text, Title, useComputedColorScheme } from '@mantine/core';
import { Background, Controls, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorNote, JsonBlock, Loading, PageTitle, StatusBadge } from '../components/common';
import { PlainGraph } from '../components/PlainGraph';
import { formatDuration, formatPrice, formatTime } from '../lib/format';
import { graphKey, graphLayout, LAYERED_LAYOUT_FROM, NODE_HEIGHT, NODE_WIDTH, readyLayout } from '../lib/layout-cache';
import { preloadedValue, runPath, takePreloaded } from '../lib/preload';
import { statusColor } from '../lib/status';
import { followEvents } from '../lib/sse';
import { buildTimeline, firstRowCount, nodeStatuses, totals, type TimelineRow } from '../lib/timeline';
import { useSession } from '../session';
import type { NodeExecution, RunDetail, SystemStatus } from '../types';

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
      <div className="weft-flow-node-line">
        {data.status ? `${data.status}${data.duration !== null ? ` · ${formatDuration(data.duration)}` : ''}` : 'not run'}
      </div>
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

/** A small graph (under LAYERED_LAYOUT_FROM nodes), drawn by React Flow at dagre's positions. */
function FlowGraph({
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
        ariaLabel: `${n.data.title ?? n.id}: ${statuses.get(n.id) ?? 'not run'}`,
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

function RunGraph({
  run,
  executions,
  selectedNode,
  onSelect,
}: {
  run: RunDetail;
  executions: NodeExecution[];
  selectedNode: string | null;
  onSelect(nodeId: string): void;
}) {
  // The graph is laid out once per graph (a running run's refreshes keep it): a big one at once, so it is drawn in
  // this first render; a small one by dagre, which may be done already (the console's first script starts the
  // layout as soon as the run arrives).
  const shape = useMemo(() => graphKey(run.graph.nodes, run.graph.edges), [run.graph]);
  const [layout, setLayout] = useState<{ positions: Map<string, { x: number; y: number }> } | null>(() => {
    const positions = readyLayout(shape, run.graph.nodes, run.graph.edges);
    return positions ? { positions } : null;
  });
  useEffect(() => {
    let cancelled = false;
    void graphLayout(run.graph.nodes, run.graph.edges).then((positions) => {
      if (!cancelled) setLayout((prev) => (prev?.positions === positions ? prev : { positions }));
    });
    return () => {
      cancelled = true;
    };
    // Laid out again only when the graph's shape changes, not on every refresh of the run.
  }, [shape]); // run.graph is read through its shape
  const statuses = useMemo(() => nodeStatuses(executions), [executions]);
  const durations = useMemo(() => {
    const d = new Map<string, number>();
    for (const e of executions) d.set(e.node_id, (d.get(e.node_id) ?? 0) + (e.elapsed_time ?? 0));
    return d;
  }, [executions]);
  if (!layout)
    return (
      <div className="weft-graph" data-testid="run-graph">
        <Loading label="Laying out the graph" />
      </div>
    );
  // A big graph without React Flow (components/PlainGraph.tsx: a few elements per node instead of React Flow's
  // machinery per node); a small one keeps React Flow's canvas.
  if (run.graph.nodes.length >= LAYERED_LAYOUT_FROM)
    return (
      <PlainGraph
        key={shape}
        nodes={run.graph.nodes}
        edges={run.graph.edges}
        positions={layout.positions}
        statuses={statuses}
        durations={durations}
        selectedNode={selectedNode}
        onSelect={onSelect}
      />
    );
  return (
    <FlowGraph
      run={run}
      positions={layout.positions}
      statuses={statuses}
      durations={durations}
      selectedNode={selectedNode}
      onSelect={onSelect}
    />
  );
}

/** A status as a small coloured label (plain markup: the timeline has a row per node execution). */
function StatusTag({ status }: { status: string }) {
  return (
    <span className="weft-tag" data-color={statusColor(status)} data-status={status}>
      {status}
    </span>
  );
}

const TimelineRowView = memo(function TimelineRowView({
  row,
  span,
  selected,
  collapsed,
  onSelect,
  onToggle,
}: {
  row: TimelineRow;
  span: number;
  selected: boolean;
  collapsed: boolean;
  onSelect(id: string): void;
  onToggle(nodeId: string): void;
}) {
  const e = row.execution;
  const m = e.execution_metadata;
  const label = e.title || e.node_id;
  const left = (row.start / span) * 100;
  const width = Math.max((row.duration / span) * 100, 0.5);
  return (
    <tr
      role="row"
      data-node-id={e.node_id}
      data-execution-id={e.id}
      className={selected ? 'weft-row-selected' : undefined}
      onClick={() => onSelect(e.id)}
    >
      <td role="cell" style={{ paddingLeft: 8 + row.depth * 24 }}>
        <span className="weft-cell-line">
          {row.children > 0 ? (
            <button
              type="button"
              className="weft-icon-button"
              aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${label} (${row.children} nested runs)`}
              aria-expanded={!collapsed}
              onClick={(ev) => {
                ev.stopPropagation();
                onToggle(e.node_id);
              }}
            >
              <span aria-hidden="true">{collapsed ? '▸' : '▾'}</span>
            </button>
          ) : null}
          <button
            type="button"
            className="weft-link-button"
            aria-label={`Details of ${label}`}
            onClick={(ev) => {
              ev.stopPropagation();
              onSelect(e.id);
            }}
          >
            {label}
          </button>
          {row.round !== null ? <span className="weft-tag weft-tag-outline">#{row.round + 1}</span> : null}
          {row.retry ? <span className="weft-tag weft-tag-retry">retry {row.retry}</span> : null}
          {row.branch ? (
            <span className="weft-tag weft-tag-branch" title={`Parallel branch starting at ${row.branch}`}>
              branch {row.branch}
            </span>
          ) : null}
        </span>
      </td>
      <td role="cell">
        <StatusTag status={e.status} />
      </td>
      <td role="cell">+{formatDuration(row.start)}</td>
      <td role="cell" data-testid="duration">
        {formatDuration(row.duration)}
      </td>
      <td role="cell">{m?.total_tokens ?? '—'}</td>
      <td role="cell">{m?.total_price !== undefined ? formatPrice(m.total_price, m.currency) : '—'}</td>
      <td role="cell">
        <div className="weft-timeline-track" aria-hidden="true">
          <div className="weft-timeline-bar" data-color={statusColor(e.status)} style={{ left: `${left}%`, width: `${width}%` }} />
        </div>
      </td>
    </tr>
  );
});

function Timeline({
  run,
  executions,
  selected,
  onSelect,
}: {
  run: RunDetail;
  executions: NodeExecution[];
  selected: string | null;
  onSelect(id: string): void;
}) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  // A running node's bar reaches "now", taken when the executions last changed.
  const timeline = useMemo(
    () => buildTimeline(executions, run.created_at, run.elapsed_time ?? 0, Date.now() / 1000, collapsed),
    [executions, run.created_at, run.elapsed_time, collapsed],
  );
  // The rows a window can show are drawn with the rest of the page; the others in a render of their own just after
  // (a transition: it yields to the browser, which paints the page first). Every row is in the page from then on.
  const [first] = useState(() => firstRowCount(window.innerHeight));
  const [allRows, setAllRows] = useState(false);
  useEffect(() => {
    if (!allRows) startTransition(() => setAllRows(true));
  }, [allRows]);
  const rows = allRows || timeline.rows.length <= first ? timeline.rows : timeline.rows.slice(0, first);
  const toggle = useCallback(
    (nodeId: string) =>
      setCollapsed((prev) => {
        const next = new Set(prev);
        if (next.has(nodeId)) next.delete(nodeId);
        else next.add(nodeId);
        return next;
      }),
    [],
  );
  return (
    // The rows are grids, not table layout (console.css), so the table's roles are given explicitly.
    <table className="weft-table" role="table" aria-label="Node executions">
      <thead role="rowgroup">
        <tr role="row">
          <th role="columnheader">Node</th>
          <th role="columnheader">Status</th>
          <th role="columnheader">Start</th>
          <th role="columnheader">Duration</th>
          <th role="columnheader">Tokens</th>
          <th role="columnheader">Cost</th>
          <th role="columnheader">Timeline (0 – {formatDuration(timeline.span)})</th>
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.map((row) => (
          <TimelineRowView
            key={row.execution.id}
            row={row}
            span={timeline.span}
            selected={selected === row.execution.id}
            collapsed={collapsed.has(row.execution.node_id)}
            onSelect={onSelect}
            onToggle={toggle}
          />
        ))}
      </tbody>
    </table>
  );
}

function TraceLink({ traceId }: { traceId: string }) {
  const session = useSession();
  const [template, setTemplate] = useState<string | null>(null);
  useEffect(() => {
    if (!session.isAdmin) return;
    api
      .get<SystemStatus>('/system/status')
      .then((s) => setTemplate(s.links?.trace_url_template ?? null))
      .catch(() => setTemplate(null));
  }, [session.isAdmin]);
  if (!template) return <Text size="sm">Trace {traceId}</Text>;
  return (
    <Anchor href={template.replace('{trace_id}', encodeURIComponent(traceId))} target="_blank" rel="noreferrer" size="sm">
      Open trace {traceId.slice(0, 12)}…
    </Anchor>
  );
}

export function RunPage() {
  const { appId = '', runId = '' } = useParams();
  const session = useSession();
  const base = runPath(appId, runId);
  const [run, setRun] = useState<RunDetail | null>(() => preloadedValue<RunDetail>(base));
  const [executions, setExecutions] = useState<NodeExecution[]>(
    () => preloadedValue<{ data: NodeExecution[] }>(`${base}/node-executions`)?.data ?? [],
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [taskId, setTaskId] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [stopState, setStopState] = useState<{ busy: boolean; error: ApiError | null; done: boolean }>({
    busy: false,
    error: null,
    done: false,
  });

  const refresh = useCallback(async () => {
    try {
      const executionsPath = `${base}/node-executions`;
      const [detail, nodes] = await Promise.all([
        takePreloaded<RunDetail>(base) ?? api.get<RunDetail>(base),
        takePreloaded<{ data: NodeExecution[] }>(executionsPath) ?? api.get<{ data: NodeExecution[] }>(executionsPath),
      ]);
      // The layout starts now (a small graph's dagre is fetched while the page draws).
      void graphLayout(detail.graph.nodes, detail.graph.edges);
      setRun(detail);
      setExecutions(nodes.data);
      setError(null);
      return detail;
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
      return null;
    }
  }, [base]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A running run follows its events; each one brings a fresh look at the run (at most every 250 ms).
  const running = run?.status === 'running';
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  // A stream that ends (a proxy's timeout, a gateway restart) while the run is still running is opened again.
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!running) return;
    const controller = new AbortController();
    const schedule = () => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void refresh();
      }, 250);
    };
    setLive(true);
    followEvents(`${base}/events`, controller.signal, (event) => {
      if (typeof event.task_id === 'string') setTaskId(event.task_id);
      if (event.event !== 'ping') schedule();
    })
      .catch(() => undefined)
      .finally(() => {
        if (controller.signal.aborted) return;
        setLive(false);
        void refresh().then((detail) => {
          if (detail?.status === 'running' && !controller.signal.aborted) setTimeout(() => setAttempt((a) => a + 1), 2000);
        });
      });
    return () => {
      controller.abort();
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
    };
  }, [running, base, refresh, attempt]);

  const stop = async () => {
    if (!taskId) return;
    setStopState({ busy: true, error: null, done: false });
    try {
      await api.post(`/apps/${appId}/workflow-runs/tasks/${taskId}/stop`);
      setStopState({ busy: false, error: null, done: true });
      void refresh();
    } catch (e) {
      setStopState({ busy: false, error: e instanceof ApiError ? e : new ApiError(0, 'error', String(e)), done: false });
    }
  };

  const sum = useMemo(() => totals(executions), [executions]);
  const selectedExecution = executions.find((e) => e.id === selected) ?? null;
  const selectNode = useCallback(
    (nodeId: string) => {
      const last = [...executions].filter((e) => e.node_id === nodeId).sort((a, b) => b.index - a.index)[0];
      if (last) setSelected(last.id);
    },
    [executions],
  );

  if (error && !run) return <ErrorNote error={error} title="Run not found" />;
  if (!run) return <Loading label="Loading the run" />;
  return (
    <Stack>
      <PageTitle
        right={
          run.status === 'running' && session.canEdit ? (
            <Button color="red" onClick={() => void stop()} loading={stopState.busy} disabled={!taskId || stopState.done}>
              Stop run
            </Button>
          ) : null
        }
      >
        Run{' '}
        <Text span ff="monospace" inherit>
          {run.id.slice(0, 8)}
        </Text>{' '}
        <StatusBadge status={run.status} />
        {live ? (
          <Badge ml="xs" color="blue" variant="dot" data-testid="live">
            live
          </Badge>
        ) : null}
      </PageTitle>
      <Anchor component={Link} to={`/apps/${appId}/runs`} size="sm">
        ← All runs of this app
      </Anchor>
      <ErrorNote error={stopState.error} title="Not stopped" />
      {run.error ? (
        <Alert color="red" title="The run failed" role="alert">
          {run.error}
        </Alert>
      ) : null}
      <SimpleGrid cols={6} spacing="sm">
        {[
          ['Started', formatTime(run.created_at)],
          ['Duration', formatDuration(run.elapsed_time)],
          ['Steps', String(run.total_steps)],
          ['Tokens', String(run.total_tokens ?? sum.tokens)],
          ['Cost', formatPrice(run.total_price ?? (sum.price || null), run.currency ?? sum.currency)],
          ['Triggered from', run.triggered_from],
        ].map(([label, value]) => (
          <Paper withBorder p="xs" key={label}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={600} data-testid={`run-${label!.toLowerCase().replace(/ /g, '-')}`}>
              {value}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {run.trace_id ? <TraceLink traceId={run.trace_id} /> : null}
      <RunGraph run={run} executions={executions} selectedNode={selectedExecution?.node_id ?? null} onSelect={selectNode} />
      <Title order={2} size="h4">
        Node executions
      </Title>
      <Timeline run={run} executions={executions} selected={selected} onSelect={setSelected} />
      <SimpleGrid cols={2}>
        <JsonBlock label="Run inputs" value={run.inputs} />
        <JsonBlock label="Run outputs" value={run.outputs} />
      </SimpleGrid>
      <Drawer
        opened={selectedExecution !== null}
        onClose={() => setSelected(null)}
        position="right"
        size="lg"
        title={selectedExecution ? `${selectedExecution.title || selectedExecution.node_id} (${selectedExecution.node_type})` : ''}
      >
        {selectedExecution ? (
          <Stack data-testid="node-panel">
            <Group>
              <StatusBadge status={selectedExecution.status} />
              <Text size="sm">{formatDuration(selectedExecution.elapsed_time)}</Text>
              {selectedExecution.execution_metadata?.total_tokens !== undefined ? (
                <Text size="sm">{selectedExecution.execution_metadata.total_tokens} tokens</Text>
              ) : null}
              {selectedExecution.execution_metadata?.total_price !== undefined ? (
                <Text size="sm">
                  {formatPrice(selectedExecution.execution_metadata.total_price, selectedExecution.execution_metadata.currency)}
                </Text>
              ) : null}
            </Group>
            {selectedExecution.error ? (
              <Alert color="red" title="Error" role="alert">
                {selectedExecution.error}
              </Alert>
            ) : null}
            <JsonBlock label="Inputs" value={selectedExecution.inputs} />
            <JsonBlock label="Outputs" value={selectedExecution.outputs} />
            <JsonBlock label="Process data" value={selectedExecution.process_data} />
            <JsonBlock label="Metadata" value={selectedExecution.execution_metadata} />
          </Stack>
        ) : null}
      </Drawer>
    </Stack>
  );
}
