import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { isPlainObject } from '@weft/workflow';
import { checkCodeOutputs, type CodeLanguage, type CodeOutputDeclarations, type CodeSandbox } from '../../sandbox';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';

const LANGUAGES: readonly string[] = ['python3', 'javascript'] satisfies CodeLanguage[];

/**
 * The code node: gathers its input variables, runs `main` in the sandbox (time and memory limited) and
 * checks the returned object against the declared outputs. Error types follow Dify: the code failing
 * (or the sandbox being unavailable) is CodeExecutionError, a result that does not match the declaration is OutputValidationError.
 */
export class CodeExecutor implements NodeJobExecutor {
  constructor(private readonly sandbox: CodeSandbox) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const data = job.data;
    const inputs: Record<string, unknown> = {};
    for (const variable of Array.isArray(data['variables']) ? data['variables'] : []) {
      if (!isPlainObject(variable) || typeof variable['variable'] !== 'string') continue;
      const selector = asSelector(variable['value_selector']);
      // Dify passes None for a variable that has no value yet.
      inputs[variable['variable']] = selector ? (ctx.pool.get(selector) ?? null) : null;
    }
    const language = data['code_language'] ?? 'python3';
    if (typeof language !== 'string' || !LANGUAGES.includes(language)) {
      return failed('CodeNodeError', `Unsupported code language: ${String(language)}`, { inputs });
    }
    if (typeof data['code'] !== 'string') return failed('CodeNodeError', 'The code node has no code.', { inputs });

    const run = await this.sandbox.run(
      { code: data['code'], inputs, language: language as CodeLanguage, workspaceId: job.workspaceId },
      ctx.signal,
    );
    if (!run.ok) return failed(run.kind === 'invalid_output' ? 'OutputValidationError' : 'CodeExecutionError', run.error, { inputs });
    const checked = checkCodeOutputs(run.result, declarations(data['outputs']));
    if (!checked.ok) return failed('OutputValidationError', checked.error, { inputs });
    return succeeded({ inputs, outputs: checked.outputs });
  }
}

/** The declared outputs; entries without a type (the editor leaves `null` for a half-written one) are dropped. */
function declarations(value: unknown): CodeOutputDeclarations {
  if (!isPlainObject(value)) return {};
  const result: CodeOutputDeclarations = {};
  for (const [name, declaration] of Object.entries(value)) {
    if (isPlainObject(declaration) && typeof declaration['type'] === 'string')
      result[name] = declaration as unknown as CodeOutputDeclarations[string];
  }
  return result;
}
