export { checkCodeOutputs, DEFAULT_CODE_OUTPUT_LIMITS } from './code-outputs.util';
export { CodeSandbox } from './code-sandbox.service';
export type {
  CodeLanguage,
  CodeOutputDeclaration,
  CodeOutputDeclarations,
  CodeOutputLimits,
  CodeOutputsCheck,
  CodeOutputType,
  CodeRunFailureKind,
  CodeRunRequest,
  CodeRunResult,
  CodeSandboxOptions,
  IsolationStatus,
} from './sandbox.types';
