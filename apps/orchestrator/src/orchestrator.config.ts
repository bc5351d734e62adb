import type { ConfigOf, orchestratorConfigSpec } from '@weft/config';

/** The orchestrator's validated config, injected under this token. */
export const ORCHESTRATOR_CONFIG = Symbol('ORCHESTRATOR_CONFIG');

/** Typed view of the orchestrator's config. */
export type OrchestratorConfig = ConfigOf<typeof orchestratorConfigSpec>;
