import { Inject, Injectable } from '@nestjs/common';
import { isNodeRunnerNodeType, JinjaRenderer, type OrchestratorNodeType, type SupportedNodeType } from '@weft/workflow';
import { ORCHESTRATOR_CONFIG, type OrchestratorConfig } from '../orchestrator.config';
import { AnswerExecutor } from './answer/answer.executor';
import { AssignerExecutor } from './assigner/assigner.executor';
import { EndExecutor } from './end/end.executor';
import { IfElseExecutor } from './if-else/if-else.executor';
import { IterationExecutor } from './iteration/iteration.executor';
import { ListOperatorExecutor } from './list-operator/list-operator.executor';
import { LoopExecutor } from './loop/loop.executor';
import { MarkerExecutor } from './marker/marker.executor';
import type { NodeExecutor } from './node-executor.types';
import { NodeJobDispatcher } from './node-job-dispatcher.service';
import { StartExecutor } from './start/start.executor';
import { TEMPLATE_OUTPUT_MAX_LENGTH, TemplateTransformExecutor } from './template-transform/template-transform.executor';
import { VariableAggregatorExecutor } from './variable-aggregator/variable-aggregator.executor';

/**
 * Which executor runs each node type. A node type's contract (`NODE_TYPE_CONTRACTS` in @weft/workflow)
 * says where it runs: those that run on node runners all go to the dispatcher, and every other one needs
 * an entry in `local`, so a new orchestrator type does not compile until it has an executor. Jinja2
 * templates render in worker threads, so a slow template cannot stall the orchestrator's event loop
 * (lease renewal, health checks, other runs).
 */
@Injectable()
export class NodeExecutorFactory {
  private readonly templates: JinjaRenderer;
  private readonly local: Record<OrchestratorNodeType, NodeExecutor>;

  constructor(
    readonly dispatcher: NodeJobDispatcher,
    @Inject(ORCHESTRATOR_CONFIG) config: OrchestratorConfig,
  ) {
    const { timeoutMs, workers } = config.templates;
    this.templates = new JinjaRenderer({ maxOutputLength: TEMPLATE_OUTPUT_MAX_LENGTH, timeoutMs, workers });
    const aggregator = new VariableAggregatorExecutor();
    const marker = new MarkerExecutor();
    this.local = {
      answer: new AnswerExecutor(),
      assigner: new AssignerExecutor(),
      end: new EndExecutor(),
      'if-else': new IfElseExecutor(),
      iteration: new IterationExecutor(),
      'iteration-start': marker,
      'list-operator': new ListOperatorExecutor(),
      loop: new LoopExecutor(),
      'loop-end': marker,
      'loop-start': marker,
      start: new StartExecutor(),
      'template-transform': new TemplateTransformExecutor(this.templates),
      'variable-aggregator': aggregator,
      'variable-assigner': aggregator,
    };
  }

  /**
   * Stops the template workers. RunService calls it once its runs have drained, rather than this being an
   * onModuleDestroy hook, which Nest runs before the drain and would fail the template nodes of draining runs.
   */
  close(): Promise<void> {
    return this.templates.close();
  }

  executorFor(type: SupportedNodeType): NodeExecutor {
    return isNodeRunnerNodeType(type) ? this.dispatcher : this.local[type];
  }
}
