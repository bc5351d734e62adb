/** DSL constants and types: node types, app modes, problem codes, the parsed app and its graph. */
export * from './dsl.types';

/** Runtime schemas of the fields every node's `data` has, and of an if-else or loop condition. */
export { DslConditionSchema, NodeDataCommonSchema } from './dsl.contract';

/** Writes an app back as Dify-compatible YAML. */
export { exportDsl } from './dsl-export.util';

/** Reads and validates a DSL, from YAML text or from an already-loaded document. */
export { parseDsl, readDocument } from './dsl-parse.util';

/** The DSL version rule on its own (0.1.x to 0.7.x; older than 0.6 warns). */
export { checkDslVersion, type DslVersionCheck } from './dsl-version.util';

/** The chatflow a classic chat, agent-chat or completion app (`model_config`) runs as. */
export { classicAppWorkflow, convertTemplate, type ClassicAppMode, type ClassicAppWorkflow } from './classic-app.util';

/** A node's conversation memory settings (how many earlier turns it reads, how it phrases them). */
export { DEFAULT_MEMORY_TURNS, readMemory, type MemorySettings } from './dsl-memory.util';
