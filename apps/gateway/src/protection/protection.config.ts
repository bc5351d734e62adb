import type { ConfigOf, gatewayConfigSpec } from '@weft/config';

/** The gateway's protection settings: rate limits, active runs, timeouts, CORS and proxies. */
export type ProtectionSettings = ConfigOf<typeof gatewayConfigSpec>['protection'];

export const PROTECTION_SETTINGS = Symbol('PROTECTION_SETTINGS');

/** Counts requests refused by a limit, by the limit that refused them. */
export const RATE_LIMIT_REJECTIONS_METRIC = 'weft_rate_limit_rejections_total';

/** Counts requests let through unchecked because Redis did not answer (the limiter fails open). */
export const RATE_LIMIT_UNAVAILABLE_METRIC = 'weft_rate_limit_unavailable_total';
