/** Languages a Dify "code" node can be written in. */
export type CodeLanguage = 'javascript' | 'python3';

/** One execution of a code node: the source that defines `main`, and the values of its input variables. */
export interface CodeRunRequest {
  code: string;
  inputs: Record<string, unknown>;
  language: CodeLanguage;
}

/** Why a code run failed. */
export type CodeRunFailureKind = 'aborted' | 'invalid_output' | 'memory' | 'runtime' | 'timeout';

/** Outcome of a code run: the object `main` returned, as JSON values, or why there is none. */
export type CodeRunResult =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; kind: CodeRunFailureKind; error: string };

/** Limits applied to every run of a {@link CodeSandbox}. */
export interface CodeSandboxOptions {
  /** Longest serialized (UTF-8 JSON) result a run may return. */
  maxOutputBytes: number;
  /** Memory a run may use; see the runners for exactly what is counted. */
  memoryMb: number;
  /** Warm Pyodide workers kept for Python runs (default 1); each runs one code node at a time. */
  pythonWorkers?: number;
  /** Time a run may execute, not counting time spent waiting for a free Python worker. */
  timeoutMs: number;
}

/** Value types a Dify code node can declare for an output variable. */
export type CodeOutputType =
  | 'array'
  | 'array[boolean]'
  | 'array[number]'
  | 'array[object]'
  | 'array[string]'
  | 'boolean'
  | 'number'
  | 'object'
  | 'string';

/** One declared output of a Dify code node; `children` describes the keys of an object (or of array[object] items). */
export interface CodeOutputDeclaration {
  children?: CodeOutputDeclarations | null;
  type: CodeOutputType;
}

/** The `outputs` map of a Dify code node, keyed by output variable name. */
export type CodeOutputDeclarations = Record<string, CodeOutputDeclaration>;

/** Limits on code node outputs, named after Dify's CODE_MAX_* settings. */
export interface CodeOutputLimits {
  maxDepth: number;
  maxNumber: number;
  maxNumberArrayLength: number;
  maxObjectArrayLength: number;
  maxPrecision: number;
  maxStringArrayLength: number;
  maxStringLength: number;
  minNumber: number;
}

/** Outcome of checking a code node's result against its declared outputs. */
export type CodeOutputsCheck = { ok: true; outputs: Record<string, unknown> } | { ok: false; error: string };
