import { ConfigValidationError, loadTracingSettings, maskUrlPassword } from '@weft/config';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContextManager } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { planTracing, type TracingPlan } from './settings';

interface RunningSdk {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let running: RunningSdk | undefined;
let started = false;

/** Whether this process traces: checked before any span work, so tracing off costs nothing. */
export function isTracingOn(): boolean {
  return running !== undefined;
}

// The workspace's package version (services are released together); two levels higher when running from dist/.
function workspaceVersion(): string {
  for (const up of [3, 4]) {
    const path = join(__dirname, ...Array<string>(up).fill('..'), 'package.json');
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

export interface StartTracingOptions {
  /** The environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Spans go here instead of the configured exporter (tests: an InMemorySpanExporter); turns tracing on. */
  exporter?: SpanExporter;
  /** Where the start-up line (and a refusal) goes (default: stdout, and stderr for a refusal). */
  log?: (line: string) => void;
}

/**
 * Starts OpenTelemetry tracing for `service` from the standard `OTEL_*` variables. Call it before anything
 * else is loaded (each service's `src/instrument.ts`, imported first by its main.ts), so the http, pg and
 * ioredis instrumentations can patch those modules when they are first required. Off (the default: no
 * endpoint set, or OTEL_SDK_DISABLED=true) it loads no SDK and registers nothing, and the OpenTelemetry
 * API stays a no-op. An invalid setting (e.g. OTEL_EXPORTER_OTLP_PROTOCOL=grpc) stops the process with
 * a message naming it, as every other bad setting does. Returns the plan it acted on.
 */
export function startTracing(service: string, options: StartTracingOptions = {}): TracingPlan | undefined {
  if (started) return undefined;
  started = true;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const refuse = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let plan: TracingPlan;
  try {
    const settings = loadTracingSettings(service, options.env);
    plan = planTracing(service, settings, { version: workspaceVersion(), environment: settings.environment });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      refuse(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (options.exporter && plan.exporter === 'none') plan = { ...plan, exporter: 'otlp', offReason: undefined };
  if (plan.exporter === 'none') return plan;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  running = startSdk(plan, options.exporter);
  const sampling = plan.sampler.kind.endsWith('traceidratio') ? `${plan.sampler.kind} ${plan.sampler.ratio}` : plan.sampler.kind;
  log(
    JSON.stringify({
      level: 30,
      time: Date.now(),
      service,
      msg: `Tracing on: ${options.exporter ? 'in-process exporter' : plan.exporter === 'console' ? 'spans printed to stdout' : `OTLP ${plan.protocol} to ${maskUrlPassword(plan.url!)}`} as "${plan.resource['service.name']}", sampler ${sampling}`,
    }),
  );
  return plan;
}

/**
 * OpenTelemetry's context manager over the process's one AsyncLocalStorage, shared with the request context
 * (async-context.ts): what the SDK registers, and what a test's in-memory tracer provider should register.
 */
export function sharedStorageContextManager(): ContextManager {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SharedStorageContextManager } = require('./context-manager') as typeof import('./context-manager');
  return new SharedStorageContextManager();
}

/** Sends the spans still queued; part of graceful shutdown (also for tests that read an in-memory exporter). */
export async function flushTracing(): Promise<void> {
  await running?.forceFlush().catch(() => undefined);
}

/** Flushes and stops the SDK at shutdown, waiting at most `timeoutMs` for the receiver. */
export async function shutdownTracing(timeoutMs = 2000): Promise<void> {
  const sdk = running;
  if (!sdk) return;
  running = undefined;
  await Promise.race([sdk.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
