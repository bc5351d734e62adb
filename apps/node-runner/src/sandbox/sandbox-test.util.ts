import type { CodeSandboxOptions } from './sandbox.types';

/** Options for a sandbox in tests: Debian's bubblewrap and CPython, as `npm test` installs them, and small limits. */
export function testSandboxOptions(overrides: Partial<CodeSandboxOptions> = {}): CodeSandboxOptions {
  return {
    isolation: { allowWeak: false, bwrapPath: '/usr/bin/bwrap', pythonPath: '/usr/bin/python3' },
    javascriptWorkers: 1,
    maxConcurrent: 4,
    maxConcurrentPerWorkspace: 4,
    maxOutputBytes: 100_000,
    memoryMb: 32,
    pythonWorkers: 1,
    scratchMb: 4,
    timeoutMs: 1000,
    ...overrides,
  };
}
