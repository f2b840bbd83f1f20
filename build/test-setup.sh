#!/usr/bin/env bash
# Everything the test suite needs beyond `npm ci`, set up by `npm test` itself (package.json
# `pretest`), so the README's test command passes on a fresh machine. Idempotent and quiet when all
# is present:
#   - delve (test/export runs `dlv core`): Debian sid's package into the private cache, samples/toolchains.sh
#   - tmux (test/live/top.test.ts: `gospy top` in a real terminal) and binutils' readelf
#     (test/export checks the exported core's layout): Debian packages, apt-get as root
#   - kernel.core_pattern = core (test/golden/real-world.test.ts crashes esbuild and reads ./core)
# A step that cannot be done says what to do and fails: the tests never skip.
set -euo pipefail
cd "$(dirname "$0")/.."

bash samples/toolchains.sh --delve-only

missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v readelf >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "test setup: ${missing[*]} missing; install them (Debian: apt-get install ${missing[*]}) and run npm test again" >&2
    exit 1
  fi
  echo "test setup: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi

pattern=$(cat /proc/sys/kernel/core_pattern)
if [ "$pattern" != core ]; then
  if ! { echo core > /proc/sys/kernel/core_pattern; } 2>/dev/null; then
    echo "test setup: kernel.core_pattern is \"$pattern\"; the crash tests need core files named core in the working directory: run \`sysctl kernel.core_pattern=core\` as root (on the host, for a container)" >&2
    exit 1
  fi
  echo "test setup: kernel.core_pattern was \"$pattern\", set to core" >&2
fi
