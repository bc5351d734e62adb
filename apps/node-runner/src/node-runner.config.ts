import type { ConfigOf, nodeRunnerConfigSpec } from '@weft/config';

/** The node runner's validated config, injected under this token. */
export const NODE_RUNNER_CONFIG = Symbol('NODE_RUNNER_CONFIG');

/** Typed view of the node runner's config. */
export type NodeRunnerConfig = ConfigOf<typeof nodeRunnerConfigSpec>;
