import { NODE_RUNTIME_FLAGS, SERVICE_CONFIG_SPECS } from '@weft/config';
import { SERVICE_NAMES, ServiceName } from '@weft/contracts';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './infra';
import { pollUntil } from './poll';

/** Each service's port variable, read from its config spec so the tests cannot drift from it. */
export const PORT_VARIABLES = Object.fromEntries(SERVICE_NAMES.map((name) => [name, SERVICE_CONFIG_SPECS[name].http.port.env])) as Record<
  ServiceName,
  string
>;

/**
 * A TCP port nothing listens on right now, from 20000–32767: below Linux's ephemeral range (32768–60999),
 * so the many outgoing connections of a test run cannot take it between now and the service binding it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('No free TCP port found in 20000-32767');
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One service started from the build in dist/ as its own process, the way `npm start` runs it. */
export class ServiceProcess {
  private child?: ChildProcess;
  private output: string[] = [];
  private exitPromise?: Promise<ExitStatus>;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static entryPoint(name: ServiceName): string {
    return join(REPO_ROOT, 'dist', 'apps', name, 'src', 'main.js');
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything the process printed, stdout and stderr interleaved. */
  logs(): string {
    return this.output.join('');
  }

  start(extraEnv: Record<string, string> = {}, args: string[] = []): this {
    const entry = ServiceProcess.entryPoint(this.name);
    if (!existsSync(entry)) throw new Error(`${entry} does not exist: run "npm run build" first (npm test does)`);
    this.output = [];
    const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS[this.name], entry, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, [PORT_VARIABLES[this.name]]: String(this.port), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 2000) this.output.splice(0, 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
    return this;
  }

  /** Resolves with how the process ended. */
  exited(): Promise<ExitStatus> {
    if (!this.exitPromise) throw new Error(`${this.name} was never started`);
    return this.exitPromise;
  }

  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await pollUntil(
      async () => {
        if (!this.isRunning()) throw new Error(`${this.name} exited:\n${this.logs().slice(-3000)}`);
        const res = await fetch(`${this.baseUrl}/ready`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200;
      },
      { timeoutMs, intervalMs: 100, what: `${this.name} to become ready` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${this.name} output ---\n${this.logs().slice(-3000)}`);
    });
  }

  /** Sends a signal and waits for the process to end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<ExitStatus> {
    if (!this.child || !this.isRunning()) return this.exitPromise ?? { code: null, signal: null };
    this.child.kill(signal);
    const timer = new Promise<ExitStatus>((_, reject) =>
      setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms after ${signal}`)), timeoutMs).unref(),
    );
    return Promise.race([this.exited(), timer]);
  }
}
