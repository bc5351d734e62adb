import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { AppService } from './app.service';

/** Gives node runners a workspace's provider credentials, decrypted, over the internal bus only. */
@Injectable()
export class ProviderCredentialsHandler {
  constructor(private readonly apps: AppService) {}

  @OnRequest('gateway.provider-credentials.v1')
  async credentials(req: RequestOf<'gateway.provider-credentials.v1'>): Promise<ResponseOf<'gateway.provider-credentials.v1'>> {
    return { credentials: await this.apps.providerCredentials(req.workspaceId, req.provider) };
  }
}
