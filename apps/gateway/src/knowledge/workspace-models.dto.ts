import { z } from 'zod';

/** `GET /v1/workspaces/current/models/model-types/{model_type}`: providers with their active models of the type. */
export const ProvidersWithModelsSchema = z.object({
  data: z.array(
    z.object({
      icon_small: z.null(),
      icon_small_dark: z.null(),
      label: z.object({ en_US: z.string(), zh_Hans: z.string() }),
      models: z.array(
        z.object({
          deprecated: z.boolean(),
          features: z.array(z.string()).nullable(),
          fetch_from: z.enum(['predefined-model', 'customizable-model']),
          has_invalid_load_balancing_configs: z.boolean(),
          label: z.object({ en_US: z.string(), zh_Hans: z.string() }),
          load_balancing_enabled: z.boolean(),
          model: z.string(),
          model_properties: z.record(z.string(), z.unknown()),
          model_type: z.string(),
          status: z.string(),
        }),
      ),
      provider: z.string(),
      status: z.enum(['active', 'no-configure']),
      tenant_id: z.string().uuid(),
    }),
  ),
});
export type ProvidersWithModels = z.infer<typeof ProvidersWithModelsSchema>;
