#!/usr/bin/env bash
# Server matrix: runs the cluster suites (test/cluster/**, test/nest/chaos.spec.ts, test/nest/pubsub-chaos.spec.ts,
# the server-specific tests in test/cluster and test/integrations) on the newer servers in ../shared/servers
# (relative to the repo root): Redis 8.6.3 and Valkey 9.1.2. The default Debian 7.0 run is `npm test` (.ci/run).
#
#   bash scripts/ci-server-matrix.sh                 # both servers
#   bash scripts/ci-server-matrix.sh redis-8.6.3     # one (folder name under ../shared/servers)
#
# Env: NRC_SERVERS_DIR overrides ../shared/servers; NRC_TEST_PORT_OFFSET is passed through to the jest global setup.
# Fails loudly (exit 2) when a server folder or binary is missing: a missing server is never a silent pass.
# Prints each server's duration and a summary; exits non-zero if any server's run failed or skipped a test
# (every suite, the server-specific ones included, must run on these servers).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
SERVERS_DIR="${NRC_SERVERS_DIR:-$ROOT/../shared/servers}"
DEFAULT_SERVERS=(redis-8.6.3 valkey-9.1.2)
if [ "$#" -gt 0 ]; then SERVERS=("$@"); else SERVERS=("${DEFAULT_SERVERS[@]}"); fi

SUITES=(
  test/cluster
  test/nest/chaos.spec.ts
  test/nest/pubsub-chaos.spec.ts
  test/integrations
)

fail() { printf 'ci-server-matrix: %s\n' "$*" >&2; exit 2; }

[ -d "$SERVERS_DIR" ] || fail "servers folder $SERVERS_DIR not found (expected ../shared/servers beside the repo; see its README.md)"
for s in "${SERVERS[@]}"; do
  bin="$SERVERS_DIR/$s/bin"
  [ -d "$bin" ] || fail "$bin not found"
  if [ -x "$bin/redis-server" ]; then
    [ -x "$bin/redis-cli" ] || fail "$bin/redis-cli missing"
  elif [ -x "$bin/valkey-server" ]; then
    [ -x "$bin/valkey-cli" ] || fail "$bin/valkey-cli missing"
  else
    fail "no redis-server or valkey-server in $bin"
  fi
  # The binary must run on this machine (libssl3, libstdc++).
  "$bin"/*-server --version >/dev/null 2>&1 || fail "$bin/*-server --version failed (missing shared libraries?)"
done

existing=()
for p in "${SUITES[@]}"; do [ -e "$p" ] && existing+=("$p"); done

declare -a SUMMARY=()
status=0
t_all=$(date +%s)
for s in "${SERVERS[@]}"; do
  bin="$SERVERS_DIR/$s/bin"
  printf '\n==> server matrix: %s (%s)\n' "$s" "$("$bin"/*-server --version | head -1)"
  t0=$(date +%s)
  report="$(mktemp)"
  NRC_REDIS_BIN_DIR="$bin" node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand --json --outputFile="$report" "${existing[@]}" </dev/null
  rc=$?
  # Every suite must have run here: a server-specific suite that skipped itself (a misread server
  # version, say) would otherwise leave the matrix green without testing what it is for.
  if [ "$rc" -eq 0 ]; then
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      if (r.numTotalTests === 0 || r.numPendingTests > 0 || r.numPendingTestSuites > 0) {
        console.error(`ci-server-matrix: ${r.numPendingTests} test(s) skipped, ${r.numTotalTests} in all: every test must run on this server`);
        process.exit(1);
      }' "$report" || rc=1
  fi
  rm -f "$report"
  dt=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then SUMMARY+=("$s: pass in ${dt}s"); else SUMMARY+=("$s: FAIL (exit $rc) after ${dt}s"); status=1; fi
done

printf '\n==> server matrix summary (%ss in all)\n' "$(( $(date +%s) - t_all ))"
printf '  %s\n' "${SUMMARY[@]}"
exit "$status"
