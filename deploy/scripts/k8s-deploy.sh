#!/usr/bin/env bash
# Deploys one overlay of deploy/k8s with the given image, in the order the services need:
#   1. everything but the services and the migrations Job (namespace, ConfigMaps, policies, NATS,
#      PostgreSQL, Redis, Services, autoscalers, PDBs, Ingress), then waits for the StatefulSets and, in
#      production, for the CloudNativePG Cluster and its Pooler;
#   2. the migrations Job (the previous one deleted first: a Job's template cannot change), waits for it;
#   3. the service Deployments, and waits for each rollout.
# It writes what it changed to a rollout record (ROLLOUT_RECORD, default ./rollout-<namespace>.record), which
# k8s-rollback.sh reads to undo exactly that: nothing when it stopped before phase 3 (the services still run
# the version they ran), and otherwise each Deployment whose revision it moved, back to the revision it had.
# Usage: k8s-deploy.sh <overlay dir> <namespace> <image ref, e.g. ghcr.io/acme/weft:3f2c...>
# Needs kubectl with kustomize (kubectl kustomize) and a kubeconfig for the cluster.
set -euo pipefail

overlay=${1:?overlay directory}
namespace=${2:?namespace}
image=${3:?image reference}
record=${ROLLOUT_RECORD:-rollout-$namespace.record}
deployments=(gateway orchestrator node-runner rag compliance)

# The record: `phase <name>` lines as phases begin, then `before <deployment> <revision>` (0: it did not exist)
# for each Deployment just before phase 3 changes it.
echo "phase configuration" > "$record"
[[ -n $(kubectl -n "$namespace" get secret weft-secrets --ignore-not-found -o name 2>/dev/null || true) ]] ||
  echo "warning: secret weft-secrets not found in $namespace; create it first (deploy/README.md)" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$(dirname "$0")/../k8s" "$work/k8s"
rel=${overlay#*deploy/k8s/}
# The overlay's `images` entry names the image `weft`; point it at this build.
sed -i "s|^\(\s*newName:\).*|\1 ${image%:*}|; s|^\(\s*newTag:\).*|\1 ${image##*:}|" "$work/k8s/$rel/kustomization.yaml"
kubectl kustomize "$work/k8s/$rel" > "$work/rendered.yaml"

echo "Applying configuration and infrastructure to $namespace"
kubectl apply -f "$work/rendered.yaml" -l 'app.kubernetes.io/component!=service,app.kubernetes.io/component!=migrations'
for sts in $(kubectl -n "$namespace" get statefulset -l app.kubernetes.io/part-of=weft -o name); do
  kubectl -n "$namespace" rollout status "$sts" --timeout=10m
done
# Production's PostgreSQL is CloudNativePG's: wait for the Cluster to be ready (a new one bootstraps first)
# and for its Pooler's pods, through which the migrations connect. Names from the rendered overlay.
named() { awk -v kind="kind: $1" '$0 == kind {found = 1; next} found && /^  name: / {print $2; found = 0}' "$work/rendered.yaml"; }
for cluster in $(named Cluster); do
  kubectl -n "$namespace" wait --for=condition=Ready "clusters.postgresql.cnpg.io/$cluster" --timeout=20m
done
for pooler in $(named Pooler); do
  kubectl -n "$namespace" rollout status "deployment/$pooler" --timeout=10m
done

echo "Running migrations"
echo "phase migrations" >> "$record"
kubectl -n "$namespace" delete job weft-migrate --ignore-not-found --wait=true
kubectl apply -f "$work/rendered.yaml" -l app.kubernetes.io/component=migrations
if ! kubectl -n "$namespace" wait --for=condition=complete job/weft-migrate --timeout=15m; then
  kubectl -n "$namespace" logs job/weft-migrate --all-containers --tail=200 || true
  echo "Migrations failed; the services were not changed." >&2
  exit 1
fi

echo "Rolling out the services"
for deployment in "${deployments[@]}"; do
  revision=$(kubectl -n "$namespace" get deployment "$deployment" --ignore-not-found \
    -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}')
  echo "before $deployment ${revision:-0}" >> "$record"
done
echo "phase services" >> "$record"
kubectl apply -f "$work/rendered.yaml" -l app.kubernetes.io/component=service
for deployment in "${deployments[@]}"; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=10m
done
echo "phase done" >> "$record"
echo "Deployed $image to $namespace"
