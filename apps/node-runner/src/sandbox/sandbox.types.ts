/** Languages a Dify "code" node can be written in. */
export type CodeLanguage = 'javascript' | 'python3';

/** One execution of a code node: the source that defines `main`, the values of its input variables, and whose it is. */
export interface CodeRunRequest {
  code: string;
  inputs: Record<string, unknown>;
  language: CodeLanguage;
  /** The workspace the run belongs to, for fair sharing of the sandbox slots. */
  workspaceId: string;
}

/** Why a code run failed; `unavailable` means the sandbox cannot run code on this node runner at all. */
export type CodeRunFailureKind = 'aborted' | 'invalid_output' | 'memory' | 'runtime' | 'timeout' | 'unavailable';

/** Outcome of a code run: the object `main` returned, as JSON values, or why there is none. */
export type CodeRunResult = { ok: true; result: Record<string, unknown> } | { ok: false; kind: CodeRunFailureKind; error: string };

/** Limits applied to every run of a {@link CodeSandbox}, and how the sandbox is built. */
export interface CodeSandboxOptions {
  isolation: SandboxIsolationOptions;
  /** Sandboxed JavaScript hosts kept per node runner; each runs one code node at a time. */
  javascriptWorkers: number;
  /** Longest serialized (UTF-8 JSON) result a run may return. */
  maxOutputBytes: number;
  /** Code runs (both languages) one node runner executes at the same time; the rest wait. */
  maxConcurrent: number;
  /** Of those, at most this many for one workspace, so one workspace cannot take every slot. */
  maxConcurrentPerWorkspace: number;
  /** Memory a run may use; see the runners for exactly what is counted. */
  memoryMb: number;
  /** Python run processes kept forked and isolated ahead of time. */
  pythonWorkers: number;
  /** Size of a Python run's private scratch folder (/tmp), and the largest file it may write. */
  scratchMb: number;
  /** Time a run may execute, not counting time spent waiting for a slot. */
  timeoutMs: number;
}

/** How user code is confined (docs/security.md, "Code sandbox"). */
export interface SandboxIsolationOptions {
  /** Run code nodes even where bubblewrap cannot start, with weaker isolation (plain child processes). */
  allowWeak: boolean;
  bwrapPath: string;
  /** Debian's CPython (with python3-seccomp); it must live under /usr, the only host folder the sandbox sees. */
  pythonPath: string;
}

/** How this node runner confines code: `bubblewrap` (the real boundary), `weak` (accepted by the operator), or not at all. */
export interface IsolationStatus {
  level: 'bubblewrap' | 'unavailable' | 'weak';
  /** Why bubblewrap cannot be used, when it cannot. */
  reason?: string;
}

/** Value types a Dify code node can declare for an output variable. */
export type CodeOutputType =
  'array' | 'array[boolean]' | 'array[number]' | 'array[object]' | 'array[string]' | 'boolean' | 'number' | 'object' | 'string';

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
