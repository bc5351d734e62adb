// `npm run chaos`: a fault test. Clients run a workflow and a chatflow with a JavaScript and a Python code node
// (blocking and streaming) while the gateway and the orchestrator (two replicas each), the node runner and the
// compliance service are each SIGKILLed and restarted in turn; afterwards every request must be accounted for. Options:
// --duration=<seconds> (default 45), --clients=<n> (default 16), --restart-delay=<seconds> (default 4);
// --dependencies: then the run's own nats-server, Redis and Postgres are each stopped for
// --dependency-down=<seconds> (default 5) and started again, and the services must recover by themselves.
import { build, ensureDependencies, ensureInfrastructure } from './lib/workspace.mjs';

ensureDependencies();
Object.assign(process.env, ensureInfrastructure());
build();
await import('./chaos/run.mjs');
