import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  type AnnotationReply,
  AppErrors,
  type ChatTurnRequest,
  type ConversationTurn,
  DomainError,
  RunErrors,
  type RunRecord,
  type ResponseOf,
  type RunStreamEvent,
  type StartRunRequest,
} from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@weft/platform';
import {
  VariablePool,
  isNodeRunnerNodeType,
  validateStartInputs,
  type GraphNode,
  type ParsedApp,
  type StartVariable,
} from '@weft/workflow';
import { InjectMetric, METRIC } from '@weft/metrics';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Context, Span } from '@opentelemetry/api';
import { AnnotationService } from '../annotations/annotation.service';
import type { NodeExecutionRecord, RunResult } from '../engine/engine.types';
import { GraphRun, type GraphRunEnd, type GraphRunObserver, type RunCounters } from '../engine/graph-run.util';
import { endRunSpan, failRunSpan, runContext, startRunSpan, traceparentOf, withContext } from '../engine/run-tracing.util';
import { ConversationVariableRepository } from '../conversations/conversation-variable.repository';
import type { ConversationRow, MessageOutcome } from '../conversations/conversation.repository';
import { ConversationService, FAILED, type OpenedTurn, type TurnOwner } from '../conversations/conversation.service';
import { NodeExecutorFactory } from '../nodes/node-executor-factory.service';
import { ORCHESTRATOR_CONFIG, type OrchestratorConfig } from '../orchestrator.config';
import { WorkflowCache, type LoadedWorkflow } from '../workflows/workflow-cache.service';
import {
  agentSteps,
  agentThoughtRecord,
  aggregateUsage,
  endingEvents,
  storedEndingEvents,
  retrieverResources,
  withWholeAnswer,
  type ChatRunRow,
  type LiveThoughts,
} from './chat-events.util';
import { RunStream } from './run-stream.util';
import { createSecretMask, maskNodeRecord, replayablePrefix, type SecretMask } from './secret-mask.util';
import { nodeFinished } from './run-events.util';
import { DuplicateRunError, RunRepository, type RunRow } from './run.repository';
import { RunStartAudits } from './run-start-audits.service';

/** The answer to `wf.run.start.v1`: the run as stored (or the turn an annotation answered). */
type StartAnswer = ResponseOf<'wf.run.start.v1'>;

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
  row: RunRow;
}

/**
 * Starts, drives, resumes and stops runs. A run is stored as running under this instance's lease
 * before the start request is answered; from then on it reaches exactly one terminal state, here or,
 * if this instance dies, on whichever instance claims its expired lease and replays its stored nodes.
 */
@Injectable()
export class RunService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RunService.name);
  private readonly active = new Map<string, ActiveRun>();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private closing = false;

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly bus: MessageBus,
    private readonly db: DatabaseService,
    private readonly runs: RunRepository,
    private readonly workflows: WorkflowCache,
    private readonly executors: NodeExecutorFactory,
    private readonly conversationVariables: ConversationVariableRepository,
    private readonly conversations: ConversationService,
    private readonly annotations: AnnotationService,
    private readonly startAudits: RunStartAudits,
    @InjectMetric('dify_workflow_executions_total') private readonly runsTotal: Counter<string>,
    @InjectMetric('dify_workflow_execution_duration_seconds') private readonly runDuration: Histogram<string>,
    @InjectMetric('dify_node_executions_total') private readonly nodesTotal: Counter<string>,
    @InjectMetric('dify_node_execution_duration_seconds') private readonly nodeDuration: Histogram<string>,
    @InjectMetric(METRIC.runsInFlight) private readonly runsInFlight: Gauge<string>,
    @InjectMetric(METRIC.nodeDuration) private readonly nodeDurationByStatus: Histogram<string>,
  ) {}

  onModuleInit(): void {
    void this.bus.start().then(() => {
      if (this.closing) return;
      this.executors.dispatcher.listen(this.identity.instanceId);
      this.unsubscribe = this.bus.listen('wf.run.cancel.v1', null, ({ runId }) => this.active.get(runId)?.controller.abort());
    });
    const lease = this.config.workflow.leaseTtlMs;
    this.timers = [
      setInterval(() => void this.renewLeases(), Math.max(250, Math.floor(lease / 3))),
      setInterval(() => void this.claimOrphans(), Math.max(250, Math.floor(lease / 3))),
    ];
    for (const t of this.timers) t.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
    // Runs still in flight keep their leases until they expire; another instance resumes them.
    await Promise.race([Promise.allSettled([...this.active.values()].map((a) => a.done)), new Promise((r) => setTimeout(r, 3000).unref())]);
    // Only now: the executors' template workers, stopped any earlier, would fail the nodes of runs still draining.
    await this.executors.close();
  }

  /**
   * Validates and stores a new run, then drives it in the background; resolves once the run is stored. A
   * chat-family run stores its turn's message first (and a new conversation), so the turn is never lost. A chat
   * query an annotation of the app answers runs no workflow: its message is stored answered, as in Dify.
   *
   * Idempotent by run id (and a chat turn's message id), both assigned by the gateway, which sends a start
   * again when no orchestrator answered: a start whose run is stored answers that run; one whose turn's message
   * is stored but whose run is not (its orchestrator died in between) stores and drives the run of that turn.
   * Two starts of one id at once are settled by the primary keys, not by timing: the message insert and the
   * run insert each store for exactly one of them, and the other answers what that one stored. Only a start
   * sent again (`attempt` > 1) reads first, so a normal start makes no extra round trip.
   */
  async start(req: StartRunRequest): Promise<StartAnswer> {
    const workflow = await this.workflows.load(req.workspaceId, req.appId, req.workflowId ?? 'published');
    if (!workflow) throw req.workflowId ? RunErrors.workflowIdNotFound() : RunErrors.workflowNotPublished();
    if (workflow.version === 'draft') throw RunErrors.draftNotRunnable();
    // Classic chat and completion apps run as the chatflow their model config converts to.
    if (req.chat === null && workflow.app.mode !== 'workflow') throw AppErrors.modeMismatch('not_workflow_app');
    if (req.chat !== null && workflow.app.mode !== 'advanced-chat') throw AppErrors.modeMismatch('not_chat_app');
    if (req.chat !== null && !req.creator.endUserId) throw RunErrors.chatWithoutEndUser();
    const owner = { appId: req.appId, endUserId: req.creator.endUserId ?? '', workspaceId: req.workspaceId };
    let turn: OpenedTurn | null = null;
    if (req.attempt > 1) {
      const earlier = await this.earlierStart(req, owner, workflow.id);
      if (earlier.answer) return earlier.answer;
      turn = earlier.turn;
    }
    if (!turn) {
      const conversation = req.chat?.conversationId ? await this.conversations.continued(owner, req.chat.conversationId) : null;
      const inputs = this.validateInputs(workflow.app, conversation ? conversation.inputs : req.inputs);
      if (req.chat && req.chat.mode !== 'completion' && req.chat.query) {
        const reply = await this.annotations.match(req.workspaceId, req.appId, req.chat.query);
        if (reply) return this.answerWithAnnotation(req, req.chat, owner, conversation, inputs, reply, workflow);
      }
      if (req.chat) {
        turn = await this.conversations.beginTurn(owner, req.chat, conversation, inputs, {
          files: req.files,
          runId: req.runId,
          taskId: req.taskId,
        });
        if (!turn) return this.answerEarlierStart(req, owner, workflow);
      } else {
        return this.store(req, workflow, null, inputs);
      }
    }
    return this.store(req, workflow, turn, turn.inputs);
  }

  /** Stores the run (of `turn`, for a chat run) and drives it; a run already stored by another start of its id is answered instead. */
  private async store(
    req: StartRunRequest,
    workflow: LoadedWorkflow,
    turn: OpenedTurn | null,
    inputs: Record<string, unknown>,
  ): Promise<StartAnswer> {
    const row: RunRow = {
      appId: req.appId,
      chat: turn?.chat ?? null,
      createdAt: new Date(),
      createdFrom: req.createdFrom,
      creator: req.creator,
      files: req.files,
      id: req.runId,
      inputs,
      status: 'running',
      stopRequested: false,
      taskId: req.taskId,
      version: workflow.version,
      workflowId: workflow.id,
      workspaceId: req.workspaceId,
    };
    if (turn?.createdConversation && req.chat?.autoGenerateName) row.nameConversation = true;
    // The request's run.started event is written with the row: it exists exactly when the run does.
    row.startAudit = RunStartAudits.eventOf(req);
    // The run span starts before the row is written, so the row keeps its context for a resumption to link to.
    const span = startRunSpan(row, 'initial');
    row.traceParent = traceparentOf(span);
    // The graph starts while the run row is being written: nothing of the run is stored, published or announced
    // as finished before that write commits, and if it fails (or another start of the id stored it) the run is dropped.
    const stored = this.runs.insertRun(row, this.identity.instanceId, this.config.workflow.leaseTtlMs);
    this.drive(row, workflow, [], 'initial', stored, span);
    try {
      await stored;
    } catch (error) {
      if (error instanceof DuplicateRunError) {
        this.logger.log(`Run "${row.id}" was already stored by another start of it; answering that one`);
        return this.answerEarlierStart(
          req,
          { appId: req.appId, endUserId: req.creator.endUserId ?? '', workspaceId: req.workspaceId },
          workflow,
        );
      }
      if (turn) await this.abandonTurn(req.workspaceId, turn, error);
      throw error;
    }
    if (row.startAudit) this.startAudits.handOn(row.id, row.startAudit);
    return {
      annotationReply: null,
      auditStored: row.startAudit !== null,
      conversationId: row.chat?.conversationId ?? null,
      createdAt: Math.floor(row.createdAt.getTime() / 1000),
      runId: row.id,
      taskId: row.taskId,
      workflowId: workflow.id,
    };
  }

  /**
   * Answers a start that lost an insert to another start of the same ids: the run that one stored. When only
   * its turn's message is stored so far, this start stores the run of that turn itself (the run's primary key
   * again decides which start stores it), so a start whose orchestrator died right after the message is not lost.
   */
  private async answerEarlierStart(req: StartRunRequest, owner: TurnOwner, workflow: LoadedWorkflow): Promise<StartAnswer> {
    const earlier = await this.earlierStart(req, owner, workflow.id);
    if (earlier.answer) return earlier.answer;
    if (earlier.turn) return this.store(req, workflow, earlier.turn, earlier.turn.inputs);
    throw RunErrors.notFound();
  }

  /**
   * What an earlier attempt of this start stored: the answer when its run (or its annotation-answered turn) is
   * stored; the turn alone when only its message is (its run still to be stored); neither when nothing is.
   */
  private async earlierStart(
    req: StartRunRequest,
    owner: TurnOwner,
    workflowId: string,
  ): Promise<{ answer: StartAnswer | null; turn: OpenedTurn | null }> {
    const found = await this.runs.findStoredRun(req.workspaceId, req.appId, req.runId);
    if (found) {
      const row = found.row;
      const answer: StartAnswer = {
        annotationReply: null,
        // Stored by the attempt that stored the run: the same event, sent with every attempt.
        auditStored: RunStartAudits.eventOf(req) !== null,
        conversationId: row.chat?.conversationId ?? null,
        createdAt: Math.floor(row.createdAt.getTime() / 1000),
        runId: row.id,
        taskId: row.taskId,
        workflowId: row.workflowId,
      };
      return { answer, turn: null };
    }
    if (!req.chat) return { answer: null, turn: null };
    const stored = await this.conversations.storedTurn(owner, req.chat);
    if (!stored) return { answer: null, turn: null };
    if (stored.message.workflowRunId !== null) return { answer: null, turn: stored.turn };
    // An annotation answered the turn: answer it as then (the annotation, matched again, or the stored answer
    // alone if the annotation was removed meanwhile).
    const reply = (await this.annotations.match(req.workspaceId, req.appId, stored.message.query)) ?? {
      accountId: null,
      annotationId: stored.message.id,
      answer: stored.message.answer,
    };
    return {
      answer: {
        annotationReply: { ...reply, answer: stored.message.answer },
        auditStored: false,
        conversationId: stored.message.conversationId,
        createdAt: Math.floor(stored.message.createdAt.getTime() / 1000),
        runId: req.runId,
        taskId: req.taskId,
        workflowId,
      },
      turn: null,
    };
  }

  /** Stores a turn an annotation answered, with its answer; no run is stored or driven (Dify runs no workflow either). */
  private async answerWithAnnotation(
    req: StartRunRequest,
    chat: ChatTurnRequest,
    owner: TurnOwner,
    conversation: ConversationRow | null,
    inputs: Record<string, unknown>,
    reply: AnnotationReply,
    workflow: LoadedWorkflow,
  ): Promise<StartAnswer> {
    const turn = await this.conversations.beginTurn(
      owner,
      chat,
      conversation,
      inputs,
      { files: req.files, runId: null, taskId: req.taskId },
      reply.answer,
    );
    if (!turn) return this.answerEarlierStart(req, owner, workflow);
    const conversationId = turn.chat.conversationId;
    if (turn.createdConversation && chat.autoGenerateName && conversationId)
      this.conversations.nameInBackground(owner, conversationId, chat.query);
    return {
      annotationReply: reply,
      auditStored: false,
      conversationId,
      createdAt: Math.floor(Date.now() / 1000),
      runId: req.runId,
      taskId: req.taskId,
      workflowId: workflow.id,
    };
  }

  private async abandonTurn(workspaceId: string, turn: OpenedTurn, error: unknown): Promise<void> {
    try {
      await this.conversations.abandonTurn(workspaceId, turn, (error as Error).message);
    } catch (failure) {
      this.logger.warn(`Message "${turn.chat.messageId}" of a run that was not stored could not be closed: ${(failure as Error).message}`);
    }
  }

  /** Asks the run with this task id (of this end user, when named) to stop, wherever it runs; says whether a running run was found. */
  async stop(workspaceId: string, appId: string, taskId: string, endUserId: string | null = null): Promise<boolean> {
    const runId = await this.runs.requestStop(workspaceId, appId, taskId, endUserId);
    if (!runId) return false;
    this.active.get(runId)?.controller.abort();
    this.bus.publish('wf.run.cancel.v1', null, { runId });
    return true;
  }

  /** A stored run, or not_found. */
  async get(workspaceId: string, appId: string, runId: string): Promise<RunRecord> {
    const run = await this.runs.findRun(workspaceId, appId, runId);
    if (!run) throw RunErrors.notFound();
    return run;
  }

  /**
   * A stored run with its node executions as `node_finished`-shaped data and, once it ended, the events that
   * ended its stream, for replaying the stream to a client that missed it. One query for the run, one for its nodes.
   */
  async history(
    workspaceId: string,
    appId: string,
    runId: string,
  ): Promise<{ ending: RunStreamEvent[]; nodes: Record<string, unknown>[]; run: RunRecord }> {
    const { record, row } = await this.stored(workspaceId, appId, runId);
    const nodes = await this.runs.nodesOf(runId);
    return { ending: endingOf(row, nodes).events, nodes: nodes.map((n) => nodeFinished(row, n)), run: record };
  }

  /** The events that ended a stored run's stream (none while it runs), and a chat run's answer, for a client that missed them. */
  async ending(workspaceId: string, appId: string, runId: string): Promise<{ answer: string | null; events: RunStreamEvent[] }> {
    const { row } = await this.stored(workspaceId, appId, runId);
    // A chat run's message_end sums its nodes' usage; a workflow run's ending needs no node.
    const nodes = row.result && row.chat ? await this.runs.nodesOf(runId) : [];
    return endingOf(row, nodes);
  }

  private async stored(workspaceId: string, appId: string, runId: string): Promise<{ record: RunRecord; row: RunRow }> {
    const found = await this.runs.findStoredRun(workspaceId, appId, runId);
    if (!found) throw RunErrors.notFound();
    return found;
  }

  private validateInputs(app: ParsedApp, inputs: Record<string, unknown>): Record<string, unknown> {
    const start = app.graph!.nodes[app.graph!.startNodeId]!;
    const variables = (start.data['variables'] as StartVariable[] | undefined) ?? [];
    const result = validateStartInputs(variables, inputs);
    if (!result.ok) throw new DomainError('invalid_param', result.problems.map((p) => p.message).join('; '));
    return result.values;
  }

  private drive(
    row: RunRow,
    workflow: LoadedWorkflow,
    replay: NodeExecutionRecord[],
    reason: 'initial' | 'resumption',
    stored: Promise<void> = Promise.resolve(),
    span: Span = startRunSpan(row, reason),
  ): void {
    const controller = new AbortController();
    if (row.stopRequested) controller.abort();
    const active: ActiveRun = { controller, done: Promise.resolve(), row };
    // A second start of a run id this instance already drives loses its insert; it must not take the first one's place.
    if (!this.active.has(row.id)) {
      this.active.set(row.id, active);
      this.runsInFlight.inc();
    }
    let lost = false;
    stored.catch(() => {
      lost = true;
      controller.abort();
    });
    let failure: unknown;
    const traceContext = runContext(span);
    active.done = withContext(traceContext, () => this.execute(row, workflow, replay, reason, controller.signal, stored, traceContext))
      .catch((error: unknown) => {
        failure = error;
        failRunSpan(span, error);
        return this.failUnexpectedly(row, error, stored);
      })
      .finally(() => {
        if (failure === undefined) endRunSpan(span, lost || !row.result ? null : row.result);
        else span.end();
        if (this.active.get(row.id) !== active) return;
        this.active.delete(row.id);
        this.runsInFlight.dec();
      });
  }

  /** Runs a stored (or being stored) run's graph to its end, then records and announces how it ended. */
  private async execute(
    row: RunRow,
    workflow: LoadedWorkflow,
    replay: NodeExecutionRecord[],
    reason: 'initial' | 'resumption',
    signal: AbortSignal,
    stored: Promise<void>,
    traceContext: Context,
  ): Promise<void> {
    const graph = workflow.app.graph!;
    // Secret values never reach a stored node row, an event or a run's result: they are masked on the way out.
    const mask = createSecretMask(workflow.secrets);
    const pool = await this.openPool(row, workflow);
    // Events wait for the run row: a start that loses the insert to another start of the same id publishes nothing.
    const publish = gatedUntil(stored, (event: RunStreamEvent) => this.bus.publish('wf.run.event.v1', row.id, event));
    const stream = new RunStream(publish, row, graph, pool, mask, workflow.streamsText);
    const recorder = new NodeRecorder(row, mask, replay, (record) => this.runs.saveNode(row, record), this.logger);
    stream.started(reason);
    const observer: GraphRunObserver = {
      nodeStarted: (record) => {
        stream.nodeStarted(record);
        // Pure nodes finish within the tick; a row for them in "running" would only be overwritten.
        if (isNodeRunnerNodeType(record.nodeType)) recorder.save(record);
      },
      nodeRetry: (record, _node, retryIndex) => stream.nodeRetry(record, retryIndex),
      nodeFinished: (unmasked) => {
        const record = recorder.finished(unmasked);
        this.nodesTotal.inc({ node_type: record.nodeType, status: record.status });
        this.nodeDuration.observe({ node_type: record.nodeType }, record.elapsedTime);
        this.nodeDurationByStatus.observe({ node_type: record.nodeType, status: record.status }, record.elapsedTime);
        stream.nodeFinished(record);
      },
      nodeSkipped: (nodeId) => stream.nodeSkipped(nodeId),
      containerEvent: (event, data) => stream.containerEvent(event, data),
      nodeChunk: (_record, node, text) => stream.chunk(node.id, text),
      nodeStep: (_record, _node, step) => stream.agentStep(step),
    };
    const counters = countersAfter(replay);
    const topLevel = new Set(
      Object.values(graph.nodes)
        .filter((n: GraphNode) => !n.parentId)
        .map((n) => n.id),
    );
    const run = new GraphRun(graph, { container: null, nodeIds: topLevel, startNodeId: graph.startNodeId }, pool, {
      appId: row.appId,
      conversationHistory: row.chat?.conversationId ? this.historyOf(row.workspaceId, row.chat.conversationId) : undefined,
      counters,
      declaredTypes: workflow.declaredTypes,
      execute: (node, p, ctx) => Promise.resolve(this.executors.executorFor(node.type).execute(node, p, ctx)),
      limits: { maxSteps: this.config.workflow.maxSteps, maxTimeMs: this.config.workflow.maxTimeSeconds * 1000 },
      observer,
      runId: row.id,
      secretMask: mask,
      signal,
      startedAt: row.createdAt.getTime(),
      traceContext,
      workspaceId: row.workspaceId,
    });
    run.replay(replay);
    stream.resume(replay, reason);
    const end = await run.run();
    const outputs = row.chat ? { answer: stream.answer } : end.kind === 'completed' ? Object.assign({}, ...run.endOutputs) : {};
    row.result = runResult(row, end, counters, outputs, mask);
    try {
      await stored;
    } catch {
      return;
    }
    await this.finish(row, row.result, workflow, pool, recorder, stream.liveThoughts);
  }

  /** The run's variable pool: system variables, environment, conversation variables, the start node's inputs. */
  private async openPool(row: RunRow, workflow: LoadedWorkflow): Promise<VariablePool> {
    const chat = row.chat;
    const conversation =
      chat?.conversationId && workflow.app.conversationVariables.length > 0
        ? await this.conversationVariables.loadOrCreate(row.workspaceId, row.appId, chat.conversationId, workflow.app.conversationVariables)
        : {};
    const pool = new VariablePool({
      conversation,
      environment: workflow.environment,
      system: {
        app_id: row.appId,
        files: row.files as never,
        user_id: row.creator.endUserId ?? row.creator.accountId ?? undefined,
        workflow_id: row.workflowId,
        workflow_run_id: row.id,
        ...(chat ? { conversation_id: chat.conversationId ?? undefined, dialogue_count: chat.dialogueCount, query: chat.query } : {}),
      },
    });
    for (const [name, value] of Object.entries(row.inputs)) pool.set([workflow.app.graph!.startNodeId, name], value);
    return pool;
  }

  /**
   * Stores how the run ended, then says so. Node rows, conversation variables, the turn's message and the
   * run's end go out together (the end inside the insert when the run ended before its row was written);
   * all are stored before anyone hears the run ended.
   */
  private async finish(
    row: RunRow,
    result: RunResult,
    workflow: LoadedWorkflow,
    pool: VariablePool,
    recorder: NodeRecorder,
    live: LiveThoughts,
  ): Promise<void> {
    const chat = row.chat;
    const declared = workflow.app.conversationVariables;
    const savedVariables =
      chat?.conversationId && declared.length > 0
        ? this.conversationVariables.save(
            row.workspaceId,
            chat.conversationId,
            Object.fromEntries(declared.map((v) => [v.name, pool.get(['conversation', v.name]) ?? null])),
          )
        : Promise.resolve();
    const finishedTurn = chat
      ? this.conversations.finishTurn(row.workspaceId, chat.messageId, turnOutcome(row as ChatRunRow, result, recorder.records, live))
      : Promise.resolve();
    await Promise.all([
      ...recorder.pending,
      savedVariables,
      finishedTurn,
      ...(row.insertedFinished ? [] : [this.runs.finishRun(row.id, result)]),
    ]);
    this.runsTotal.inc({ status: result.status });
    this.runDuration.observe(result.elapsedTime);
    this.announceEnding(row, result, endingEvents(row, result, recorder.records, live));
    // Named once the turn is answered, as Dify does: the title costs a model call the answer does not wait for.
    if (row.nameConversation && chat?.conversationId) this.nameConversation(row, chat.conversationId, chat.query);
  }

  /**
   * Publishes the events that end a run on its live stream, then once more on its own topic, a chat turn's
   * preceded by its whole answer (`message_replace`): a caller that waits only for the end (a blocking
   * request) listens there and is spared decoding every node's events and every streamed chunk.
   */
  private announceEnding(row: RunRow, result: RunResult, events: RunStreamEvent[]): void {
    for (const event of events) this.bus.publish('wf.run.event.v1', row.id, event);
    for (const event of withWholeAnswer(row, result, events)) this.bus.publish('wf.run.ended.v1', row.id, event);
  }

  /**
   * A bug in the engine must not leave the run "running" to be resumed (and to fail) again and again:
   * it ends failed, with the correlation of the log line that has the stack.
   */
  private async failUnexpectedly(row: RunRow, error: unknown, stored: Promise<void>): Promise<void> {
    this.logger.error({ err: error }, `Run "${row.id}" could not be driven`);
    try {
      await stored;
      const now = Date.now();
      const result: RunResult = {
        elapsedTime: (now - row.createdAt.getTime()) / 1000,
        error: `Internal error while running the workflow (run ${row.id}); see the orchestrator log.`,
        exceptionsCount: 0,
        finishedAt: now,
        outputs: {},
        status: 'failed',
        totalSteps: 0,
        totalTokens: 0,
      };
      const chatRow = row.chat ? (row as ChatRunRow) : null;
      await Promise.all([
        this.runs.finishRun(row.id, result),
        chatRow ? this.conversations.finishTurn(row.workspaceId, chatRow.chat.messageId, { ...FAILED, error: result.error }) : undefined,
      ]);
      this.announceEnding(row, result, endingEvents(row, result, []));
    } catch (failure) {
      this.logger.error({ err: failure }, `Run "${row.id}" could not be marked failed; its lease will expire and another attempt follows`);
    }
  }

  /** A run's conversation history, read once per window size however many nodes ask (it cannot change while the turn runs). */
  private historyOf(workspaceId: string, conversationId: string): (limit: number) => Promise<ConversationTurn[]> {
    const read = new Map<number, Promise<ConversationTurn[]>>();
    return (limit) => {
      let turns = read.get(limit);
      if (!turns) {
        turns = this.conversations.history(workspaceId, conversationId, limit);
        read.set(limit, turns);
        turns.catch(() => read.delete(limit));
      }
      return turns;
    };
  }

  private nameConversation(row: RunRow, conversationId: string, query: string): void {
    this.conversations.nameInBackground(
      { appId: row.appId, endUserId: row.creator.endUserId ?? '', workspaceId: row.workspaceId },
      conversationId,
      query,
    );
  }

  private async renewLeases(): Promise<void> {
    if (this.active.size === 0 || !this.db.isAvailable()) return;
    try {
      await this.runs.renewLeases([...this.active.keys()], this.identity.instanceId, this.config.workflow.leaseTtlMs);
    } catch (error) {
      this.logger.warn(`Could not renew run leases: ${(error as Error).message}`);
    }
  }

  /** Picks up runs whose orchestrator stopped renewing their lease, and finishes them from what is stored. */
  private async claimOrphans(): Promise<void> {
    if (this.closing || !this.db.isAvailable()) return;
    try {
      const claimed = await this.runs.claimExpiredLeases(this.identity.instanceId, this.config.workflow.leaseTtlMs, 20);
      for (const row of claimed) {
        const workflow = await this.workflows.load(row.workspaceId, row.appId, row.workflowId);
        await this.runs.interruptRunningNodes(row.id);
        const replay = await this.runs.nodesOf(row.id);
        if (!workflow) {
          const now = Date.now();
          if (row.chat)
            await this.conversations.finishTurn(row.workspaceId, row.chat.messageId, {
              ...FAILED,
              error: 'The workflow of this run no longer exists.',
            });
          await this.runs.finishRun(row.id, {
            elapsedTime: (now - row.createdAt.getTime()) / 1000,
            error: 'The workflow of this run no longer exists.',
            exceptionsCount: 0,
            finishedAt: now,
            outputs: {},
            status: 'failed',
            totalSteps: replay.length,
            totalTokens: 0,
          });
          continue;
        }
        this.logger.log(`Run "${row.id}" resumed after its lease expired (${replay.length} node executions stored)`);
        this.drive(row, workflow, replayablePrefix(replay), 'resumption');
      }
    } catch (error) {
      this.logger.warn(`Could not claim orphaned runs: ${(error as Error).message}`);
    }
  }
}

/** How a chat turn ended, for its message: the answer, its usage and sources; a failed run's error. */
function turnOutcome(run: ChatRunRow, result: RunResult, records: readonly NodeExecutionRecord[], live: LiveThoughts): MessageOutcome {
  const answer = typeof result.outputs['answer'] === 'string' ? result.outputs['answer'] : '';
  if (result.status === 'failed') {
    // What the agent had thought before the run failed stays with the message, as in Dify.
    const thoughts = run.chat.mode === 'agent-chat' ? [...live.steps.values()].sort((a, b) => a.position - b.position) : [];
    return {
      ...FAILED,
      agentThoughts: thoughts.map((step) => agentThoughtRecord(run, step)),
      answer,
      error: result.error ?? 'The workflow failed.',
    };
  }
  const usage = aggregateUsage(records);
  return {
    // Dify keeps thoughts for agent apps only; a chatflow's agent node logs its steps in its node run.
    agentThoughts:
      run.chat.mode === 'agent-chat' ? agentSteps(run, answer, records, live).map((step) => agentThoughtRecord(run, step)) : [],
    answer,
    answerTokens: Number(usage['completion_tokens'] ?? 0) || 0,
    currency: typeof usage['currency'] === 'string' ? usage['currency'] : 'USD',
    error: null,
    latency: Number(usage['latency'] ?? 0) || 0,
    messageTokens: Number(usage['prompt_tokens'] ?? 0) || 0,
    retrieverResources: retrieverResources(run, records),
    status: 'normal',
    totalPrice: String(usage['total_price'] ?? '0'),
  };
}

/** A stored run's ending events and a chat run's answer; nothing while the run goes on. */
function endingOf(row: RunRow, records: readonly NodeExecutionRecord[]): { answer: string | null; events: RunStreamEvent[] } {
  if (!row.result) return { answer: null, events: [] };
  const answer = row.chat && typeof row.result.outputs['answer'] === 'string' ? row.result.outputs['answer'] : null;
  return { answer, events: storedEndingEvents(row, row.result, records) };
}

/** The run's counters picked up after the node runs a resumed run replays. */
function countersAfter(replay: readonly NodeExecutionRecord[]): RunCounters {
  const counters: RunCounters = { exceptions: 0, nextIndex: 1, steps: replay.length, tokens: 0 };
  for (const r of replay) {
    counters.nextIndex = Math.max(counters.nextIndex, r.index + 1);
    if (r.status === 'exception') counters.exceptions++;
    counters.tokens += Number(r.executionMetadata?.['total_tokens'] ?? 0) || 0;
  }
  return counters;
}

/** How the run ended, masked: its status, error, outputs and counts. */
function runResult(row: RunRow, end: GraphRunEnd, counters: RunCounters, outputs: Record<string, unknown>, mask: SecretMask): RunResult {
  const finishedAt = Date.now();
  const status =
    end.kind === 'failed' ? 'failed' : end.kind === 'stopped' ? 'stopped' : counters.exceptions > 0 ? 'partial-succeeded' : 'succeeded';
  return {
    elapsedTime: (finishedAt - row.createdAt.getTime()) / 1000,
    error: mask(end.kind === 'failed' ? end.error : end.kind === 'stopped' ? 'Workflow execution stopped by user.' : null),
    exceptionsCount: counters.exceptions,
    finishedAt,
    outputs: mask(outputs),
    status,
    totalSteps: counters.steps,
    totalTokens: counters.tokens,
  };
}

/**
 * Stores a run's node executions as they go (masked), without waiting for them: `pending` holds the
 * writes, awaited before the run's end is stored. `records` are the finished ones, replayed included.
 */
class NodeRecorder {
  readonly pending: Promise<void>[] = [];
  readonly records: NodeExecutionRecord[];

  constructor(
    private readonly row: RunRow,
    private readonly mask: SecretMask,
    replay: readonly NodeExecutionRecord[],
    private readonly write: (record: NodeExecutionRecord) => Promise<void>,
    private readonly logger: Logger,
  ) {
    this.records = [...replay];
  }

  save(record: NodeExecutionRecord): void {
    const masked = maskNodeRecord(record, this.mask);
    this.pending.push(
      this.write({ ...masked }).catch((error: unknown) =>
        this.logger.error({ err: error }, `Node execution "${masked.id}" of run "${this.row.id}" was not stored`),
      ),
    );
  }

  /** Saves a finished node and returns its masked record. */
  finished(record: NodeExecutionRecord): NodeExecutionRecord {
    const masked = maskNodeRecord(record, this.mask);
    this.save(masked);
    this.records.push(masked);
    return masked;
  }
}

/**
 * A sink that holds what it is given until `gate` resolves, then passes it (and everything after) straight
 * through; if the gate rejects, everything is dropped. Costs nothing once the gate is open.
 */
export function gatedUntil<T>(gate: Promise<unknown>, sink: (item: T) => void): (item: T) => void {
  let state: 'closed' | 'open' | 'dropped' = 'closed';
  const held: T[] = [];
  gate.then(
    () => {
      state = 'open';
      for (const item of held.splice(0)) sink(item);
    },
    () => {
      state = 'dropped';
      held.length = 0;
    },
  );
  return (item) => {
    if (state === 'open') sink(item);
    else if (state === 'closed') held.push(item);
  };
}
