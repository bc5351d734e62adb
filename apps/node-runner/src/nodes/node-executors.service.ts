import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { createSsrfGuard, parseAllowedHosts } from '@weft/outbound-http';
import { ServiceNotices } from '@weft/platform';
import { JinjaRenderer } from '@weft/workflow';
import { UploadedFilesService, type UploadedFileSource } from '../files/uploaded-files.service';
import { WorkflowFileReader } from '../files/workflow-file-reader.service';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { ChatProviderService, type ChatProviderSource } from '../providers/chat-providers.service';
import { ConversationHistoryService } from '../providers/conversation-history.service';
import type { ConversationHistorySource } from './conversation-memory.util';
import { CodeSandbox } from '../sandbox';
import { CodeExecutor } from './code.executor';
import { DocumentExtractorExecutor } from './document-extractor.executor';
import { HttpRequestExecutor } from './http-request.executor';
import { KnowledgeService } from '../providers/knowledge.service';
import { KnowledgeRetrievalExecutor, type KnowledgeSource } from './knowledge-retrieval.executor';
import { LlmExecutor } from './llm.executor';
import { failed, isRemoteNodeType, type NodeExecutionContext, type RemoteNodeExecutor, type RemoteNodeType } from './node-executor.types';
import { ParameterExtractorExecutor } from './parameter-extractor.executor';
import { QuestionClassifierExecutor } from './question-classifier.executor';

/**
 * Which executor runs each node type the orchestrator hands over. The switch is exhaustive over
 * `RemoteNodeType`: a type added there does not compile until it has an executor here.
 */
@Injectable()
export class NodeExecutors implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodeExecutors.name);
  private readonly sandbox: CodeSandbox;
  /** Renders the jinja2 prompts of llm nodes in worker threads, so a slow template cannot stall the other jobs. */
  private readonly templates: JinjaRenderer;
  private readonly llm: LlmExecutor;
  private readonly code: CodeExecutor;
  private readonly httpRequest: HttpRequestExecutor;
  private readonly knowledgeRetrieval: KnowledgeRetrievalExecutor;
  private readonly parameterExtractor: ParameterExtractorExecutor;
  private readonly questionClassifier: QuestionClassifierExecutor;
  private readonly documentExtractor: DocumentExtractorExecutor;

  constructor(
    @Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig,
    @Inject(ChatProviderService) providers: ChatProviderSource,
    @Inject(UploadedFilesService) uploads: UploadedFileSource,
    @Inject(ConversationHistoryService) history: ConversationHistorySource,
    @Inject(KnowledgeService) knowledge: KnowledgeSource,
    private readonly notices: ServiceNotices,
  ) {
    this.knowledgeRetrieval = new KnowledgeRetrievalExecutor(knowledge, providers);
    const guard = createSsrfGuard({ allowedHosts: parseAllowedHosts(config.httpRequest.ssrfAllowedHosts) });
    const { maxResponseBytes, maxTimeoutSeconds } = config.httpRequest;
    const files = new WorkflowFileReader({ guard, maxResponseBytes, timeoutMs: maxTimeoutSeconds * 1000, uploads });
    this.sandbox = new CodeSandbox(config.code);
    this.templates = new JinjaRenderer({ timeoutMs: config.templates.timeoutMs, workers: config.templates.workers });
    this.llm = new LlmExecutor(providers, history, this.templates);
    this.code = new CodeExecutor(this.sandbox);
    this.httpRequest = new HttpRequestExecutor({ files, guard, maxResponseBytes, maxTimeoutSeconds });
    this.parameterExtractor = new ParameterExtractorExecutor(providers, history);
    this.questionClassifier = new QuestionClassifierExecutor(providers, history);
    this.documentExtractor = new DocumentExtractorExecutor(files);
  }

  /** Checks the code sandbox at start, so an operator learns at once (log and system status) how code nodes are confined. */
  onModuleInit(): void {
    const status = this.sandbox.start();
    if (status.level === 'bubblewrap') {
      this.logger.log('Code nodes run in bubblewrap sandboxes (namespaces, seccomp, resource limits)');
      return;
    }
    const warning =
      status.level === 'weak'
        ? `Code nodes run with WEAK isolation (CODE_SANDBOX_ALLOW_WEAK_ISOLATION=true): user code can read the host. ${status.reason ?? ''}`.trim()
        : `Code nodes are refused: the code sandbox is unavailable (${status.reason ?? 'unknown reason'}). Install bubblewrap and python3-seccomp, or see docs/security.md.`;
    this.logger.warn(warning);
    this.notices.warn('code-sandbox', warning);
  }

  executorFor(type: RemoteNodeType): RemoteNodeExecutor {
    switch (type) {
      case 'llm':
        return this.llm;
      case 'code':
        return this.code;
      case 'http-request':
        return this.httpRequest;
      case 'knowledge-retrieval':
        return this.knowledgeRetrieval;
      case 'parameter-extractor':
        return this.parameterExtractor;
      case 'question-classifier':
        return this.questionClassifier;
      case 'document-extractor':
        return this.documentExtractor;
    }
  }

  /** Runs the job's node; a type this service does not run is a failed result, not an exception. */
  execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    if (!isRemoteNodeType(job.nodeType)) {
      return Promise.resolve(failed('UnsupportedNodeTypeError', `Node type "${job.nodeType}" is not run by node runners.`));
    }
    return this.executorFor(job.nodeType).execute(job, ctx);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.sandbox.close(), this.templates.close()]);
  }
}
