import { Inject, Injectable } from '@nestjs/common';
import { JinjaRenderer, type SupportedNodeType } from '@weft/workflow';
import { ORCHESTRATOR_CONFIG, type OrchestratorConfig } from '../orchestrator.config';
import { AnswerExecutor } from './answer.executor';
import { AssignerExecutor } from './assigner.executor';
import { EndExecutor } from './end.executor';
import { IfElseExecutor } from './if-else.executor';
import { IterationExecutor } from './iteration.executor';
import { ListOperatorExecutor } from './list-operator.executor';
import { LoopExecutor } from './loop.executor';
import type { NodeExecutor } from './node-executor.types';
import { PassThroughExecutor } from './pass-through.executor';
import { RemoteNodeExecutor } from './remote-node.executor';
import { StartExecutor } from './start.executor';
import { TEMPLATE_OUTPUT_MAX_LENGTH, TemplateTransformExecutor } from './template-transform.executor';
import { VariableAggregatorExecutor } from './variable-aggregator.executor';

/**
 * Which executor runs each node type. Cheap, pure nodes run here in the orchestrator; nodes that do I/O
 * or run user code go to the node runners. The switch is exhaustive: a new node type does not compile
 * until it is placed. Jinja2 templates render in worker threads, so a slow template cannot stall the
 * orchestrator's event loop (lease renewal, health checks, other runs).
 */
@Injectable()
export class NodeExecutors {
  private readonly templates: JinjaRenderer;
  private readonly start = new StartExecutor();
  private readonly end = new EndExecutor();
  private readonly answer = new AnswerExecutor();
  private readonly ifElse = new IfElseExecutor();
  private readonly template: TemplateTransformExecutor;
  private readonly aggregator = new VariableAggregatorExecutor();
  private readonly assigner = new AssignerExecutor();
  private readonly listOperator = new ListOperatorExecutor();
  private readonly iteration = new IterationExecutor();
  private readonly loop = new LoopExecutor();
  private readonly marker = new PassThroughExecutor();

  constructor(
    readonly remote: RemoteNodeExecutor,
    @Inject(ORCHESTRATOR_CONFIG) config: OrchestratorConfig,
  ) {
    const { timeoutMs, workers } = config.templates;
    this.templates = new JinjaRenderer({ maxOutputLength: TEMPLATE_OUTPUT_MAX_LENGTH, timeoutMs, workers });
    this.template = new TemplateTransformExecutor(this.templates);
  }

  /**
   * Stops the template workers. RunService calls it once its runs have drained, rather than this being an
   * onModuleDestroy hook, which Nest runs before the drain and would fail the template nodes of draining runs.
   */
  close(): Promise<void> {
    return this.templates.close();
  }

  executorFor(type: SupportedNodeType): NodeExecutor {
    switch (type) {
      case 'start':
        return this.start;
      case 'end':
        return this.end;
      case 'answer':
        return this.answer;
      case 'if-else':
        return this.ifElse;
      case 'template-transform':
        return this.template;
      case 'variable-aggregator':
      case 'variable-assigner':
        return this.aggregator;
      case 'assigner':
        return this.assigner;
      case 'list-operator':
        return this.listOperator;
      case 'iteration':
        return this.iteration;
      case 'loop':
        return this.loop;
      case 'iteration-start':
      case 'loop-start':
      case 'loop-end':
        return this.marker;
      case 'llm':
      case 'code':
      case 'http-request':
      case 'knowledge-retrieval':
      case 'parameter-extractor':
      case 'question-classifier':
      case 'document-extractor':
        return this.remote;
    }
  }
}
