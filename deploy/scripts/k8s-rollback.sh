#!/usr/bin/env bash
# Undoes what the last k8s-deploy.sh changed in a namespace, from its rollout record (ROLLOUT_RECORD, default
# ./rollout-<namespace>.record): each Deployment whose revision the deploy moved goes back to the revision it
# had, and the script waits for those rollouts. A deploy that stopped before rolling out the services (a failed
# migration) changed no Deployment, so nothing is rolled back; a Deployment the deploy created, or left at its
# revision, is left alone. Migrations are not undone: they are forward-only and the previous version runs on
# the migrated schema (docs/operations.md, "Upgrades and rollback"). ConfigMaps need no undoing: they are
# generated with a hash in their names, and the previous revision's pods name the previous ones.
# Usage: k8s-rollback.sh <namespace>
set -euo pipefail

namespace=${1:?namespace}
record=${ROLLOUT_RECORD:-rollout-$namespace.record}
if [[ ! -f $record ]]; then
  echo "No rollout record ($record): no deploy ran here, nothing to roll back." >&2
  exit 0
fi
if ! grep -qx 'phase services' "$record" && ! grep -qx 'phase done' "$record"; then
  echo "The deploy stopped at $(grep '^phase ' "$record" | tail -1 | cut -d' ' -f2) before changing the services: nothing to roll back."
  exit 0
fi

undone=()
while read -r _ deployment before; do
  now=$(kubectl -n "$namespace" get deployment "$deployment" --ignore-not-found \
    -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}')
  if [[ $before == 0 ]]; then
    echo "deployment/$deployment: created by this deploy; left as it is (no earlier version to return to)" >&2
  elif [[ -z $now || $now == "$before" ]]; then
    echo "deployment/$deployment: not changed by this deploy (revision ${now:-none}); left as it is"
  else
    kubectl -n "$namespace" rollout undo "deployment/$deployment" --to-revision="$before"
    undone+=("$deployment")
  fi
done < <(grep '^before ' "$record")
for deployment in "${undone[@]}"; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=10m
done
echo "Rolled back in $namespace: ${undone[*]:-nothing}"
