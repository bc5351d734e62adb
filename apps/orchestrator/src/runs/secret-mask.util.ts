import type { SecretMask } from '@weft/workflow';
import type { NodeExecutionRecord } from '../engine/engine.types';

// The mask itself is shared with the node runner (model call spans mask prompts with it).
export { createSecretMask, SECRET_MASK, type SecretMask } from '@weft/workflow';

/**
 * A node execution as it may be recorded and shown: secrets masked in its inputs, process data, outputs
 * and error. When its outputs (or an assigner's writes) had to change, `execution_metadata` says so
 * (`secret_masked: true`): a resumed run must execute that node again instead of replaying masked values.
 */
export function maskNodeRecord(record: NodeExecutionRecord, mask: SecretMask): NodeExecutionRecord {
  const outputs = mask(record.outputs);
  const processData = mask(record.processData);
  const inputs = mask(record.inputs);
  const error = mask(record.error);
  if (outputs === record.outputs && processData === record.processData && inputs === record.inputs && error === record.error) return record;
  const replayable = outputs === record.outputs && processData === record.processData;
  return {
    ...record,
    error,
    executionMetadata: replayable ? record.executionMetadata : { ...record.executionMetadata, secret_masked: true },
    inputs,
    outputs,
    processData,
  };
}

/** The records a resumed run may replay: those before the first one whose values were masked (it and the rest run again). */
export function replayablePrefix(records: readonly NodeExecutionRecord[]): NodeExecutionRecord[] {
  const cut = records.findIndex((r) => r.executionMetadata?.['secret_masked'] === true);
  return cut === -1 ? [...records] : records.slice(0, cut);
}
