import { Injectable } from '@nestjs/common';
import type { SupportedNodeType } from '@weft/workflow';
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
import { TemplateTransformExecutor } from './template-transform.executor';
import { VariableAggregatorExecutor } from './variable-aggregator.executor';

/**
 * Which executor runs each node type. Cheap, pure nodes run here in the orchestrator; nodes that do I/O
 * or run user code go to the node runners. The switch is exhaustive: a new node type does not compile
 * until it is placed.
 */
@Injectable()
export class NodeExecutors {
  private readonly start = new StartExecutor();
  private readonly end = new EndExecutor();
  private readonly answer = new AnswerExecutor();
  private readonly ifElse = new IfElseExecutor();
  private readonly template = new TemplateTransformExecutor();
  private readonly aggregator = new VariableAggregatorExecutor();
  private readonly assigner = new AssignerExecutor();
  private readonly listOperator = new ListOperatorExecutor();
  private readonly iteration = new IterationExecutor();
  private readonly loop = new LoopExecutor();
  private readonly marker = new PassThroughExecutor();

  constructor(readonly remote: RemoteNodeExecutor) {}

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
