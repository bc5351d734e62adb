import { Alert, Anchor, Badge, Button, Drawer, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorNote, JsonBlock, Loading, PageTitle, StatusBadge } from '../components/common';
import { PlainGraph } from '../components/PlainGraph';
import { formatDuration, formatPrice, formatTime } from '../lib/format';
import { graphKey, graphLayout, LAYERED_LAYOUT_FROM, readyLayout } from '../lib/layout-cache';
import { preloadedValue, runPath, takePreloaded } from '../lib/preload';
import { statusColor } from '../lib/status';
import { followEvents } from '../lib/sse';
import { buildTimeline, nodeStatuses, totals, type TimelineRow } from '../lib/timeline';
import { useSession } from '../session';
import type { NodeExecution, RunDetail, SystemStatus } from '../types';

// React Flow, for small graphs only: fetched as soon as the page has a small graph, while dagre lays it out.
const loadFlowGraph = () => import('../components/FlowGraph');
const FlowGraph = lazy(loadFlowGraph);

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
  const small = run.graph.nodes.length < LAYERED_LAYOUT_FROM;
  useEffect(() => {
    if (small) void loadFlowGraph();
  }, [small]);
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
  if (!small)
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
    <Suspense
      fallback={
        <div className="weft-graph" data-testid="run-graph">
          <Loading label="Drawing the graph" />
        </div>
      }
    >
      <FlowGraph
        run={run}
        positions={layout.positions}
        statuses={statuses}
        durations={durations}
        selectedNode={selectedNode}
        onSelect={onSelect}
      />
    </Suspense>
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
      <td role="cell" className="weft-cell-line" style={{ paddingLeft: 8 + row.depth * 24 }}>
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
      {/* The cell is the track (console.css): fewer elements in a row of which a run page may have hundreds. */}
      <td role="cell" className="weft-timeline-track">
        <div
          className="weft-timeline-bar"
          aria-hidden="true"
          data-color={statusColor(e.status)}
          style={{ left: `${left}%`, width: `${width}%` }}
        />
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
        {timeline.rows.map((row) => (
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
