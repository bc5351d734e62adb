import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { RunRepository } from './run.repository';
import { RunService } from './run.service';

/** NATS surface of runs: start, read, list (offset pages for the Service API, keyset pages for the console), replay and stop. */
@Injectable()
export class RunHandler {
  constructor(
    private readonly runs: RunService,
    private readonly repository: RunRepository,
  ) {}

  @OnRequest('wf.run.start.v1')
  start(req: RequestOf<'wf.run.start.v1'>): Promise<ResponseOf<'wf.run.start.v1'>> {
    return this.runs.start(req);
  }

  @OnRequest('wf.run.get.v1')
  get(req: RequestOf<'wf.run.get.v1'>): Promise<ResponseOf<'wf.run.get.v1'>> {
    return this.runs.get(req.workspaceId, req.appId, req.runId);
  }

  @OnRequest('wf.run.history.v1')
  history(req: RequestOf<'wf.run.history.v1'>): Promise<ResponseOf<'wf.run.history.v1'>> {
    return this.runs.history(req.workspaceId, req.appId, req.runId);
  }

  @OnRequest('wf.run.ending.v1')
  ending(req: RequestOf<'wf.run.ending.v1'>): Promise<ResponseOf<'wf.run.ending.v1'>> {
    return this.runs.ending(req.workspaceId, req.appId, req.runId);
  }

  @OnRequest('wf.run.list.v1')
  list(req: RequestOf<'wf.run.list.v1'>): Promise<ResponseOf<'wf.run.list.v1'>> {
    return this.repository.listRuns(req);
  }

  @OnRequest('wf.run.page.v1')
  page(req: RequestOf<'wf.run.page.v1'>): Promise<ResponseOf<'wf.run.page.v1'>> {
    return this.repository.pageRuns(req);
  }

  @OnRequest('wf.run.stop.v1')
  async stop(req: RequestOf<'wf.run.stop.v1'>): Promise<ResponseOf<'wf.run.stop.v1'>> {
    return { stopped: await this.runs.stop(req.workspaceId, req.appId, req.taskId, req.endUserId) };
  }
}
