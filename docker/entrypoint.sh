#!/bin/sh
# Starts the Weft service named by SERVICE with its V8 heap flags from libs/config (NODE_RUNTIME_FLAGS),
# the same flags `npm start` uses. `exec` makes Node PID 1, so SIGTERM reaches it and the service's
# graceful shutdown runs. Arguments are passed on: `migrate` applies the service's migrations and exits.
set -eu
case "${SERVICE:-}" in
  gateway|orchestrator|node-runner|rag|compliance) ;;
  *)
    echo "SERVICE must be one of gateway, orchestrator, node-runner, rag, compliance (got \"${SERVICE:-}\")" >&2
    exit 64
    ;;
esac
flags=$(node -e 'process.stdout.write(require("/app/dist/libs/config/src/runtime-flags.config.js").NODE_RUNTIME_FLAGS[process.env.SERVICE].join(" "))')
# The flags are separate words: no quotes around $flags.
exec node $flags "/app/dist/apps/$SERVICE/src/main.js" "$@"
