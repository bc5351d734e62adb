#!/bin/sh
# Starts one Sentinel. Its configuration is written fresh into its own writable directory (Sentinel rewrites
# it as it learns), monitoring the primary the other Sentinels name, or redis-0 in a fresh cluster. Sentinels
# take no password (the services connect with none); the NetworkPolicy lets only Weft's pods and Redis reach them.
set -eu
ns=${POD_NAMESPACE:-weft}
self="$(hostname).redis-sentinel-headless.${ns}.svc.cluster.local"
primary=""
for i in 0 1 2; do
  peer="redis-sentinel-$i.redis-sentinel-headless.${ns}.svc.cluster.local"
  [ "$peer" = "$self" ] && continue
  answer=$(timeout 3 redis-cli -h "$peer" -p 26379 sentinel get-master-addr-by-name weft 2>/dev/null | head -n 1 || true)
  if [ -n "$answer" ]; then primary=$answer; break; fi
done
[ -n "$primary" ] || primary="redis-0.redis-headless.${ns}.svc.cluster.local"
cat > /sentinel/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${self}
sentinel monitor weft ${primary} 6379 2
sentinel auth-pass weft ${REDIS_PASSWORD}
sentinel down-after-milliseconds weft 5000
sentinel failover-timeout weft 60000
sentinel parallel-syncs weft 1
CONF
exec redis-server /sentinel/sentinel.conf --sentinel
