import { currentCorrelationId, runWithContext } from '@weft/logging';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type RequestOf, type ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { readModelConfig } from '../nodes/model-call.util';
import { ChatProviderService, type ChatProviderSource } from './chat-providers.service';
import { observedChat } from './chat-telemetry.util';
import { resolveProviderName } from './provider-registry.util';
import { ProviderCredentialsUnavailableError } from './provider-credentials.service';
import { ProviderNotInitializedError, ProviderRequestError } from './provider.exception';

const GENERATE_TIMEOUT_MS = 60_000;

/**
 * One model call outside a workflow, for the gateway's conversation names and suggested questions: the
 * node runners hold the provider clients and the workspace's credentials, so the gateway asks here.
 */
@Injectable()
export class ModelGenerateHandler {
  constructor(@Inject(ChatProviderService) private readonly providers: ChatProviderSource) {}

  @OnRequest('wf.model.generate.v1')
  async generate(req: RequestOf<'wf.model.generate.v1'>): Promise<ResponseOf<'wf.model.generate.v1'>> {
    const model = readModelConfig({ model: req.model });
    if ('error' in model) throw new DomainError('invalid_param', model.error);
    try {
      // The orchestrator's grant lets this call use the workspace's credentials.
      const result = await runWithContext(
        { correlationId: currentCorrelationId(), jobGrant: req.grant, workspaceId: req.workspaceId },
        async () => {
          const client = await this.providers.forProvider(req.workspaceId, model.provider);
          const call = await observedChat({
            client,
            options: { signal: AbortSignal.timeout(GENERATE_TIMEOUT_MS) },
            provider: resolveProviderName(model.provider),
            request: { messages: req.messages, model: model.name, params: model.completionParams },
            ...(this.providers.telemetry ? { telemetry: this.providers.telemetry } : {}),
          });
          return call.result;
        },
      );
      return { text: result.text };
    } catch (error) {
      if (error instanceof ProviderNotInitializedError || error instanceof ProviderCredentialsUnavailableError)
        throw new DomainError('provider_not_initialize', error.message);
      if (error instanceof ProviderRequestError) throw new DomainError('completion_request_error', error.message);
      throw error;
    }
  }
}
