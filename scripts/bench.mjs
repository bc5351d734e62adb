// `npm run bench`: starts the platform on this machine and measures it, printing in the same run the
// baselines each number should be read against (raw NATS round trip, raw Postgres insert, raw HTTP
// server). Speed is measured here, never by timed assertions in tests. Options: --duration=<seconds>,
// --soak (10 minutes of steady load with memory samples), --soak-minutes=<n>.
import { build, ensureDependencies, ensureInfrastructure } from './lib/workspace.mjs';

ensureDependencies();
Object.assign(process.env, ensureInfrastructure());
build();
await import('./bench/run.mjs');
