/** Selector, reserved node ids, system variable names, Dify's value types and the file shape. */
export {
  FILE_ATTRIBUTES,
  FILE_MODEL_IDENTITY,
  FILE_TRANSFER_METHODS,
  RESERVED_NODE_IDS,
  SYSTEM_VARIABLE_NAMES,
  VARIABLE_VALUE_TYPES,
} from './variable.types';
export type {
  FileAttribute,
  FileTransferMethod,
  ReservedNodeId,
  Selector,
  SystemVariableName,
  SystemVariables,
  VariableValueType,
  WorkflowFile,
} from './variable.types';

/** The run's variable pool with child scopes and JSON snapshots. */
export { VariablePool, VariablePoolError } from './variable-pool.util';
export type { VariablePoolErrorCode, VariablePoolInit, VariablePoolSnapshot } from './variable-pool.util';

/** `{{#node.var#}}` rendering and selector extraction with Dify's exact pattern. */
export { extractTemplateSelectors, hasContextReference, renderTemplate, renderValue, templateVariablePattern } from './template.util';
export type { RenderTemplateOptions } from './template.util';

/** Checking values against Dify's declared variable types. */
export { checkValueType, describeValueType, isVariableValueType } from './value-type.util';

/** Recognising files and reading their attributes. */
export { filesInOutputs, getFileAttribute, isFileAttribute, isFileValue, isUploadFileId } from './file.util';

/** Start-node input validation with Dify's `invalid_param` messages. */
export { START_VARIABLE_TYPES } from './start-inputs.types';
export type { StartInputProblem, StartInputsResult, StartVariable, StartVariableType } from './start-inputs.types';
export { validateStartInputs } from './start-inputs.util';

/** Python semantics Dify exposes (truthiness, `==`, `json.dumps`, `repr`, number parsing), for JSON values. */
export {
  comparePyStrings,
  isPlainObject,
  isTruthy,
  parsePythonFloat,
  parsePythonInt,
  pyEquals,
  pyIncludes,
  pyLength,
  pyListRepr,
  pyRepr,
  pyStr,
  toPythonJson,
} from './python-semantics.util';

/** Masking secret values (a workflow's secret environment values) wherever a run records or shows them. */
export { createSecretMask, SECRET_MASK } from './secret-mask.util';
export type { SecretMask } from './secret-mask.util';
