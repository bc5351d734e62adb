/** One dependency whose state decides readiness; `name` appears in the 503 answer when it fails. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ up: boolean; details?: Record<string, unknown> }>;
  /**
   * The service still does its work without this dependency, with less (Redis: rate limits and caches fail
   * open): when it is down the service stays ready and `/ready` names it under `degraded`, not `failing`.
   */
  degradesOnly?: boolean;
}

export interface HealthOptions {
  diskPath: string;
  diskThreshold: number;
  memoryRssMb: number;
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
