#!/bin/sh
# Starts one Redis of the `redis` StatefulSet. It asks the Sentinels which pod is the primary now; with no
# answer (a fresh cluster), redis-0 is the primary and the others replicate it. A former primary that comes
# back after a failover therefore starts as a replica of the new one, never as a second primary.
set -eu
ns=${POD_NAMESPACE:-weft}
self="$(hostname).redis-headless.${ns}.svc.cluster.local"
primary=""
for i in 0 1 2; do
  answer=$(timeout 3 redis-cli -h "redis-sentinel-$i.redis-sentinel-headless.${ns}.svc.cluster.local" -p 26379 \
    sentinel get-master-addr-by-name weft 2>/dev/null | head -n 1 || true)
  if [ -n "$answer" ]; then primary=$answer; break; fi
done
[ -n "$primary" ] || primary="redis-0.redis-headless.${ns}.svc.cluster.local"
set -- redis-server --appendonly yes --appendfsync everysec --dir /data --maxmemory 768mb --maxmemory-policy noeviction \
  --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD" --replica-announce-ip "$self" --min-replicas-to-write 0
if [ "$primary" != "$self" ]; then
  set -- "$@" --replicaof "$primary" 6379
fi
exec "$@"
