import { WeftClient } from '@weft/testing';

// End-to-end tests hold every JSON success answer of the gateway to the response schema its route
// declares in the OpenAPI document (apps/gateway/src/docs/route-schema.util.ts, `@Returns`).
WeftClient.checkResponses = true;
