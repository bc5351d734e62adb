import { DynamicModule, INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditService } from '@weft/audit';
import {
  ConfigOf,
  ConfigSpec,
  ConfigValidationError,
  databaseConfig,
  developmentSecretsRefused,
  httpConfig,
  weakProductionSecrets,
  loadConfig,
  loggingConfig,
  maskConfig,
  runtimeConfig,
} from '@weft/config';
import type { ServiceName } from '@weft/contracts';
import { ReadinessService } from '@weft/health';
import { flushErrorReporting, initErrorReporting } from '@weft/logging';
import { MessageBus } from '@weft/messaging';
import { shutdownTracing } from '@weft/tracing';
import { buildDataSourceOptions, PersistenceDefinition, runMigrationsLocked } from '@weft/persistence';
import { DataSource } from 'typeorm';
import express, { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { HttpErrorFilter, toHttpError } from './http-error.filter';
import { jsonBodyParser, urlHasNul } from './json-body-guard.util';
import { prefilterRoutes } from './route-prefilter.util';
import { createServiceIdentity, ServiceIdentity } from './service-identity';

/** The parts of a service's config that start-up itself needs. */
type ServiceSpec = ConfigSpec & { http: ReturnType<typeof httpConfig>; logging: typeof loggingConfig; runtime: typeof runtimeConfig };

export interface BootstrapOptions<S extends ServiceSpec> {
  service: ServiceName;
  spec: S;
  /** The root module, built from the loaded config. */
  module: (config: ConfigOf<S>, identity: ServiceIdentity) => DynamicModule;
  /** When set, `main.js migrate` applies this schema's migrations and exits (for a migrations job). */
  persistence?: PersistenceDefinition;
  /**
   * Largest JSON body, by default for every route (`*`) and per path: a prefix, or a regular expression
   * when it starts with `^`, e.g. `{'*': '1mb', '/console/api/apps/imports': '15mb', '^/v1/x/[^/]+/y$': '5mb'}`.
   */
  jsonBodyLimits?: Record<string, string>;
  /** Runs on the Nest app before body parsing and routes are set up (CORS, security headers, OpenAPI). */
  configure?: (app: INestApplication, config: ConfigOf<S>) => void | Promise<void>;
  /** When set, `main.js rotate-secrets` re-seals this service's stored secrets under the current key and exits. */
  rotateSecrets?: (source: DataSource, config: ConfigOf<S>) => Promise<SecretRotationCount[]>;
  /**
   * Operator commands, by name: `main.js <name> [args…]` connects to the service's database with its config,
   * runs the command (it writes its own output) and exits with the code it answers.
   */
  commands?: Record<string, (source: DataSource, config: ConfigOf<S>, args: string[]) => Promise<number>>;
}

/**
 * What one step of `rotate-secrets` did: values (rows) looked at and re-sealed, per place secrets are kept;
 * `refused` counts values that did not open for their own row (copied, altered, or under a removed key) and were left alone.
 */
export interface SecretRotationCount {
  refused?: number;
  resealed: number;
  scanned: number;
  where: string;
}

/** Loads config or exits non-zero with one message naming every bad variable. */
export function loadConfigOrExit<S extends ConfigSpec>(service: ServiceName, spec: S): ConfigOf<S> {
  try {
    return loadConfig(service, spec);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Body-parser failures (malformed JSON, oversized bodies) answer in Dify's error shape, never HTML. */
function bodyErrorHandler(
  err: Error & { status?: number; type?: string },
  req: Request & { id?: string },
  res: Response,
  next: NextFunction,
): void {
  if (!err) return next();
  const status = err.status ?? 400;
  if (err.type === 'entity.verify.failed') {
    res.status(400).json({ code: 'invalid_param', message: err.message, status: 400 });
  } else if (err.type === 'entity.parse.failed') {
    res.status(400).json({ code: 'bad_request', message: 'The request body is not valid JSON.', status: 400 });
  } else if (err.type === 'entity.too.large') {
    res.status(413).json({ code: 'request_entity_too_large', message: 'The request body is too large.', status: 413 });
  } else if (status >= 400 && status < 500) {
    res.status(status).json({ code: 'bad_request', message: err.message, status });
  } else {
    res.status(500).json(toHttpError(err, req.id ?? 'unknown'));
  }
}

/**
 * Starts one service: config (or a clear exit), the Nest app, HTTP on its port, NATS in the background,
 * and graceful shutdown on SIGTERM/SIGINT: stop taking work, finish what is in flight, close, exit 0.
 */
export async function bootstrapService<S extends ServiceSpec>(options: BootstrapOptions<S>): Promise<INestApplication | undefined> {
  const config = loadConfigOrExit(options.service, options.spec);
  const base = config as unknown as ConfigOf<ServiceSpec>;
  if (process.argv[2] === 'migrate') {
    await migrateAndExit(options, config as unknown as { database?: ConfigOf<typeof databaseConfig> });
    return undefined;
  }
  // Migrating needs no secret; running, or re-sealing secrets, with a key anyone can read from the source does.
  const defaults = developmentSecretsRefused(options.spec);
  if (defaults.length > 0) {
    process.stderr.write(
      `Refusing to start ${options.service} in production (NODE_ENV=production) with the development default of ${defaults.join(', ')}: set a long random value, the same in every service.\n`,
    );
    process.exit(1);
  }
  const weak = weakProductionSecrets(options.spec);
  if (weak.length > 0) {
    process.stderr.write(`Refusing to start ${options.service} in production (NODE_ENV=production): ${weak.join('; ')}.\n`);
    process.exit(1);
  }
  if (process.argv[2] === 'rotate-secrets') {
    await rotateSecretsAndExit(options, config);
    return undefined;
  }
  const command = process.argv[2] ? options.commands?.[process.argv[2]] : undefined;
  if (command) {
    await runCommandAndExit(options, config, process.argv[2]!, command);
    return undefined;
  }
  const identity = createServiceIdentity(options.service);
  initErrorReporting(base.logging.sentryDsn, options.service, identity.version);

  const app = await NestFactory.create(options.module(config, identity), { bufferLogs: true, bodyParser: false });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useGlobalFilters(new HttpErrorFilter());
  const expressApp = app.getHttpAdapter().getInstance() as express.Express;
  expressApp.disable('x-powered-by');
  // Express would hash every JSON answer for a weak ETag; API answers are not revalidated (Dify sends none).
  expressApp.set('etag', false);
  await options.configure?.(app, config);
  const limits = { '*': '1mb', ...options.jsonBodyLimits };
  const parsers = Object.entries(limits)
    .filter(([prefix]) => prefix !== '*')
    .map(([path, limit]) => {
      const matches = path.startsWith('^') ? (p: string) => new RegExp(path).test(p) : (p: string) => p.startsWith(path);
      return [matches, jsonBodyParser(limit)] as const;
    });
  const defaultParser = jsonBodyParser(limits['*']);
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (urlHasNul(req.originalUrl)) {
      res.status(400).json({ code: 'invalid_param', message: 'The URL may not contain NUL characters (%00).', status: 400 });
      return;
    }
    const parser = parsers.find(([matches]) => matches(req.path))?.[1] ?? defaultParser;
    parser(req, res, next);
  });
  app.use(bodyErrorHandler);

  // Every route is registered by init(); then each gets its literal-start check before it is listened on.
  await app.init();
  prefilterRoutes(expressApp);
  const { host, port } = base.http;
  await app.listen(port, host);
  const nestLogger = new NestLogger('Bootstrap');
  nestLogger.log(
    { config: maskConfig(options.spec, config) },
    `Service "${options.service}" (instance "${identity.instanceId}") listening on http://${host}:${port}`,
  );

  app.get(AuditService).record({
    action: 'service.started',
    actor: { type: 'system', id: options.service },
    resource: { type: 'service', id: identity.instanceId },
    details: { version: identity.version, port },
  });

  installShutdown(app, options.service, base.runtime.shutdownTimeoutMs);
  return app;
}

function installShutdown(app: INestApplication, service: string, timeoutMs: number): void {
  const logger = new NestLogger('Shutdown');
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`Service "${service}" received ${signal}; finishing in-flight work (up to ${timeoutMs} ms)`);
    app.get(ReadinessService).markShuttingDown();
    const server = app.getHttpServer() as Server;
    const force = setTimeout(() => {
      logger.warn(`In-flight work did not finish within ${timeoutMs} ms; closing remaining connections`);
      server.closeAllConnections();
    }, timeoutMs);
    force.unref();
    try {
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), app.get(MessageBus).stopHandling(timeoutMs)]);
      await app.close();
      await flushErrorReporting();
      // The spans of the work just finished (and of the shutdown itself) leave before the process does.
      await shutdownTracing();
      clearTimeout(force);
      logger.log(`Service "${service}" stopped`);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, `Service "${service}" did not stop cleanly`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function rotateSecretsAndExit<S extends ServiceSpec>(options: BootstrapOptions<S>, config: ConfigOf<S>): Promise<void> {
  const database = (config as unknown as { database?: ConfigOf<typeof databaseConfig> }).database;
  if (!options.rotateSecrets || !options.persistence || !database) {
    process.stdout.write(`Service "${options.service}" keeps no secrets at rest.\n`);
    process.exit(0);
  }
  const source = new DataSource(buildDataSourceOptions(options.persistence, database, `weft-${options.service}-rotate-secrets`));
  try {
    await source.initialize();
    for (const count of await options.rotateSecrets(source, config)) {
      const refused = count.refused ? `; ${count.refused} refused: they do not open for their own row and were left as they are` : '';
      process.stdout.write(
        `${options.service}: ${count.where}: re-sealed ${count.resealed} of ${count.scanned} sealed value(s)${refused}\n`,
      );
    }
    await source.destroy();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`Re-sealing the secrets of "${options.service}" failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

async function runCommandAndExit<S extends ServiceSpec>(
  options: BootstrapOptions<S>,
  config: ConfigOf<S>,
  name: string,
  command: NonNullable<BootstrapOptions<S>['commands']>[string],
): Promise<void> {
  const database = (config as unknown as { database?: ConfigOf<typeof databaseConfig> }).database;
  if (!options.persistence || !database) {
    process.stderr.write(`Service "${options.service}" has no database for "${name}".\n`);
    process.exit(1);
  }
  const source = new DataSource(buildDataSourceOptions(options.persistence, database, `weft-${options.service}-${name}`));
  try {
    await source.initialize();
    const code = await command(source, config, process.argv.slice(3));
    await source.destroy();
    process.exit(code);
  } catch (error) {
    process.stderr.write(`"${name}" of "${options.service}" failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

async function migrateAndExit(
  options: { service: ServiceName; persistence?: PersistenceDefinition },
  config: { database?: ConfigOf<typeof databaseConfig> },
): Promise<void> {
  if (!options.persistence || !config.database) {
    process.stdout.write(`Service "${options.service}" has no schema to migrate.\n`);
    process.exit(0);
  }
  const source = new DataSource(buildDataSourceOptions(options.persistence, config.database, `weft-${options.service}-migrate`));
  try {
    await source.initialize();
    const applied = await runMigrationsLocked(source, options.persistence.schema);
    process.stdout.write(
      `Schema "${options.persistence.schema}": ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}\n`,
    );
    await source.destroy();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`Migrating schema "${options.persistence.schema}" failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
