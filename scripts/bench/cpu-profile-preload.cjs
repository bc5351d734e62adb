// Preloaded (`node --require`) into a service by `scripts/bench/ab-builds.mjs --cpu-profile=<dir>`: the V8 CPU
// profiler starts on SIGUSR2 (sent once the warm-up is done, so the profile holds the measured rounds only)
// and the profile is written to $WEFT_CPU_PROFILE on SIGTERM, before the service's own shutdown goes on.
// (`--cpu-prof` cannot be used: Node refuses it in NODE_OPTIONS, and it would profile start-up and warm-up too.)
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, preloaded as is */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const target = process.env.WEFT_CPU_PROFILE;
if (target) {
  const session = new inspector.Session();
  session.connect();
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
  });
  process.prependOnceListener('SIGTERM', () => {
    if (!started) return;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(target, JSON.stringify(result.profile));
    });
  });
}
