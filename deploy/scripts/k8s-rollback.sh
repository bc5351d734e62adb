#!/usr/bin/env bash
# Rolls every Weft Deployment in a namespace back to its previous revision (the image that ran before
# the last deploy) and waits for the rollouts. Migrations are not undone: they are forward-only and
# the previous version runs on the migrated schema (docs/operations.md, "Upgrades and rollback").
# Usage: k8s-rollback.sh <namespace>
set -euo pipefail

namespace=${1:?namespace}
for deployment in gateway orchestrator node-runner rag compliance; do
  # A Deployment deployed once has no previous revision to go back to; the others still roll back.
  kubectl -n "$namespace" rollout undo "deployment/$deployment" || echo "deployment/$deployment: no previous revision" >&2
done
for deployment in gateway orchestrator node-runner rag compliance; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=10m
done
echo "Rolled $namespace back to the previous revision"
