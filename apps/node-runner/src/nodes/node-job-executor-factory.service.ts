import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { createSsrfGuard, parseAllowedHosts } from '@weft/outbound-http';
import { ServiceNotices } from '@weft/platform';
import { isNodeRunnerNodeType, JinjaRenderer, type NodeRunnerNodeType } from '@weft/workflow';
import { ToolFilesService, type ToolFileStore } from '../files/tool-files.service';
import { UploadedFilesService, type UploadedFileSource } from '../files/uploaded-files.service';
import { WorkflowFileReader } from '../files/workflow-file-reader.service';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { ChatProviderService, type ChatProviderSource } from '../providers/chat-providers.service';
import { KnowledgeService } from '../providers/knowledge.service';
import { CodeSandbox } from '../sandbox';
import { CodeExecutor } from './code/code.executor';
import { DocumentExtractorExecutor } from './document-extractor/document-extractor.executor';
import { HttpRequestExecutor } from './http-request/http-request.executor';
import { KnowledgeRetrievalExecutor, type KnowledgeSource } from './knowledge-retrieval/knowledge-retrieval.executor';
import { LlmExecutor } from './llm/llm.executor';
import { failed, type NodeExecutionContext, type NodeJobExecutor } from './node-job-executor.types';
import { ParameterExtractorExecutor } from './parameter-extractor/parameter-extractor.executor';
import { QuestionClassifierExecutor } from './question-classifier/question-classifier.executor';
import { ToolExecutor } from './tool/tool.executor';
import { AgentExecutor } from './agent/agent.executor';
import { ProviderCredentialsService } from '../providers/provider-credentials.service';
import { ToolRegistry, type ToolJobContextFactory } from '../tools/tool-registry.service';

/**
 * Which executor runs each node type the orchestrator hands over: one entry per `NodeRunnerNodeType`
 * (the node types whose contract in @weft/workflow says `runsIn: 'node-runner'`), so a type moved to
 * node runners there does not compile until it has an executor here.
 */
@Injectable()
export class NodeJobExecutorFactory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodeJobExecutorFactory.name);
  private readonly sandbox: CodeSandbox;
  /** Renders the jinja2 prompts of llm nodes in worker threads, so a slow template cannot stall the other jobs. */
  private readonly templates: JinjaRenderer;
  private readonly executors: Record<NodeRunnerNodeType, NodeJobExecutor>;

  constructor(
    @Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig,
    @Inject(ChatProviderService) providers: ChatProviderSource,
    @Inject(UploadedFilesService) uploads: UploadedFileSource,
    @Inject(KnowledgeService) knowledge: KnowledgeSource,
    private readonly notices: ServiceNotices,
    tools: ToolRegistry,
    @Inject(ToolFilesService) toolFiles: ToolFileStore,
    credentials: ProviderCredentialsService,
  ) {
    const guard = createSsrfGuard({ allowedHosts: parseAllowedHosts(config.httpRequest.ssrfAllowedHosts) });
    const { maxResponseBytes, maxTimeoutSeconds } = config.httpRequest;
    const files = new WorkflowFileReader({ guard, maxResponseBytes, timeoutMs: maxTimeoutSeconds * 1000, toolFiles, uploads });
    this.sandbox = new CodeSandbox(config.code);
    this.templates = new JinjaRenderer({ timeoutMs: config.templates.timeoutMs, workers: config.templates.workers });
    const toolHttp = { guard, maxResponseBytes, timeoutMs: config.tools.timeoutSeconds * 1000 };
    // A tool call reads files and model credentials of the job's workspace only, and keeps its files there.
    const toolJob: ToolJobContextFactory = (job, conversationId, signal) => ({
      files: toolFiles,
      scope: { appId: job.appId, conversationId, workspaceId: job.workspaceId },
      services: {
        modelCredentials: async (provider) => {
          const stored = await credentials.get(job.workspaceId, provider);
          if (!stored) return null;
          return Object.fromEntries(Object.entries(stored).filter((e): e is [string, string] => typeof e[1] === 'string'));
        },
        readFile: (file) => files.read(file, job.workspaceId, signal),
      },
    });
    this.executors = {
      agent: new AgentExecutor(providers, tools, toolHttp, toolJob),
      code: new CodeExecutor(this.sandbox),
      'document-extractor': new DocumentExtractorExecutor(files),
      'http-request': new HttpRequestExecutor({ files, guard, maxResponseBytes, maxTimeoutSeconds }),
      'knowledge-retrieval': new KnowledgeRetrievalExecutor(knowledge, providers),
      llm: new LlmExecutor(providers, this.templates),
      'parameter-extractor': new ParameterExtractorExecutor(providers),
      'question-classifier': new QuestionClassifierExecutor(providers),
      tool: new ToolExecutor(tools, toolHttp, toolJob),
    };
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

  /** Runs the job's node; a type this service does not run is a failed result, not an exception. */
  execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    if (!isNodeRunnerNodeType(job.nodeType)) {
      return Promise.resolve(failed('UnsupportedNodeTypeError', `Node type "${job.nodeType}" is not run by node runners.`));
    }
    return this.executors[job.nodeType].execute(job, ctx);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.sandbox.close(), this.templates.close()]);
  }
}
