import type { ServiceName } from '@weft/contracts';

/**
 * Node.js flags every service process starts with. V8 sizes its heap from the machine's memory and
 * grows it lazily, so an idle-looking service under load swelled to ~300 MB of resident memory on a
 * 24 GB host; a small young generation and an old-space ceiling per service make it collect sooner
 * (measured: gateway peak 294 → 155 MB under `npm run bench`, throughput unchanged within noise). The
 * ceilings leave room well above each service's live heap; raise them for unusually large workflows.
 * The young generation's semi-spaces may grow to 16 MB (V8 grows them only under allocation pressure):
 * at 4 MB a loaded gateway spent a fifth of its time collecting; 16 MB measured +5% throughput and −7%
 * CPU per run at concurrency 8 (docs/performance.md, "A bigger young generation").
 */
export const NODE_RUNTIME_FLAGS: Record<ServiceName, readonly string[]> = {
  compliance: ['--max-semi-space-size=16', '--max-old-space-size=256'],
  gateway: ['--max-semi-space-size=16', '--max-old-space-size=256'],
  'node-runner': ['--max-semi-space-size=16', '--max-old-space-size=512'],
  orchestrator: ['--max-semi-space-size=16', '--max-old-space-size=512'],
  rag: ['--max-semi-space-size=16', '--max-old-space-size=512'],
};
