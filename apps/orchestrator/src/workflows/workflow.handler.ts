import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type RequestOf, type ResponseOf, WorkflowErrors } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import type { SecretBox } from '@weft/security';
import { readDocument } from '@weft/workflow';
import { blankSecrets, sealSecrets } from './secret-environment.util';
import { SECRETS_BOX, WorkflowCache } from './workflow-cache.service';
import { WorkflowDslService } from './workflow-dsl.service';
import { WorkflowRepository } from './workflow.repository';

/** NATS surface of workflows: import and export DSL, save the draft, publish it, read a version or its start form, forget a deleted app. */
@Injectable()
export class WorkflowHandler {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly cache: WorkflowCache,
    private readonly dsl: WorkflowDslService,
    @Inject(SECRETS_BOX) private readonly box: SecretBox,
  ) {}

  @OnRequest('wf.workflow.save-draft.v1')
  async saveDraft(req: RequestOf<'wf.workflow.save-draft.v1'>): Promise<ResponseOf<'wf.workflow.save-draft.v1'>> {
    const parsed = readDocument(req.document);
    if (!parsed.ok) throw new DomainError('invalid_param', parsed.errors.map((e) => e.message).join('\n'));
    if (!parsed.app.graph) throw WorkflowErrors.modeHasNoWorkflow();
    const saved = await this.workflows.saveDraft(req.workspaceId, req.appId, sealSecrets(req.document, this.box, req), req.accountId);
    return { updatedAt: saved.updatedAt, workflowId: saved.id };
  }

  @OnRequest('wf.workflow.import.v1')
  import(req: RequestOf<'wf.workflow.import.v1'>): Promise<ResponseOf<'wf.workflow.import.v1'>> {
    return this.dsl.import(req);
  }

  @OnRequest('wf.workflow.export.v1')
  export(req: RequestOf<'wf.workflow.export.v1'>): Promise<ResponseOf<'wf.workflow.export.v1'>> {
    return this.dsl.export(req);
  }

  @OnRequest('wf.workflow.publish.v1')
  async publish(req: RequestOf<'wf.workflow.publish.v1'>): Promise<ResponseOf<'wf.workflow.publish.v1'>> {
    const published = await this.workflows.publish(req.workspaceId, req.appId, req.accountId);
    if (!published) throw WorkflowErrors.draftToPublishMissing();
    this.cache.invalidate(req.workspaceId, req.appId);
    return { createdAt: published.createdAt, version: published.version, workflowId: published.id };
  }

  @OnRequest('wf.app.delete.v1')
  async deleteApp(req: RequestOf<'wf.app.delete.v1'>): Promise<ResponseOf<'wf.app.delete.v1'>> {
    const deleted = await this.workflows.deleteApp(req.workspaceId, req.appId);
    this.cache.invalidate(req.workspaceId, req.appId);
    return { deleted };
  }

  /** The start form of a version (start variables, features), from the parsed workflow this service caches. */
  @OnRequest('wf.workflow.start-form.v1')
  async startForm(req: RequestOf<'wf.workflow.start-form.v1'>): Promise<ResponseOf<'wf.workflow.start-form.v1'>> {
    const workflow = await this.cache.load(req.workspaceId, req.appId, req.version);
    const graph = workflow?.app.graph;
    if (!workflow || !graph) throw WorkflowErrors.notFound();
    const variables = graph.nodes[graph.startNodeId]?.data['variables'];
    return {
      features: workflow.app.features,
      variables: Array.isArray(variables) ? (variables as Record<string, unknown>[]) : [],
      workflowId: workflow.id,
    };
  }

  @OnRequest('wf.workflow.get.v1')
  async get(req: RequestOf<'wf.workflow.get.v1'>): Promise<ResponseOf<'wf.workflow.get.v1'>> {
    const record = await this.workflows.find(req.workspaceId, req.appId, req.version);
    if (!record) throw WorkflowErrors.notFound();
    // Secrets never leave in clear, whatever the caller asks: runs open them inside the orchestrator only.
    return { ...record, document: blankSecrets(record.document) };
  }
}
