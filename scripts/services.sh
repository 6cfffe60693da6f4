#!/usr/bin/env bash
# Ensure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer; start them if they
# are installed but stopped. Under CI=true a service that cannot be reached is an error.
set -uo pipefail
pg_ok() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_ok() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_ok && command -v pg_ctlcluster >/dev/null; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_ok && break; sleep 1; done
fi
if ! redis_ok && command -v redis-server >/dev/null; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 30); do redis_ok && break; sleep 1; done
fi

status=0
if pg_ok; then echo "services: PostgreSQL ok"; else echo "services: PostgreSQL UNREACHABLE"; status=1; fi
if redis_ok; then echo "services: Redis ok"; else echo "services: Redis UNREACHABLE"; status=1; fi
if [[ "${CI:-}" == "true" && $status -ne 0 ]]; then
  echo "services: CI=true requires PostgreSQL and Redis" >&2
  exit 1
fi
exit 0
