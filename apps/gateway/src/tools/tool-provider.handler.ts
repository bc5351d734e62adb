import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { ToolProviderService } from './tool-provider.service';

/** Gives node runners a workspace's tool provider (settings and decrypted secrets), over the internal bus only. */
@Injectable()
export class ToolProviderHandler {
  constructor(private readonly tools: ToolProviderService) {}

  @OnRequest('gateway.tool-provider.v1')
  async provider(req: RequestOf<'gateway.tool-provider.v1'>): Promise<ResponseOf<'gateway.tool-provider.v1'>> {
    return { provider: await this.tools.forNodeRunner(req.workspaceId, req.providerType, req.provider) };
  }
}
