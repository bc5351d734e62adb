import { z } from 'zod';

/** `gateway.api-key.revoked.v1`, broadcast to every gateway replica: forget the key at once instead of when its cache entry expires. */
export const ApiKeyRevokedSchema = z.object({ keyId: z.string().uuid() });
export type ApiKeyRevoked = z.infer<typeof ApiKeyRevokedSchema>;
