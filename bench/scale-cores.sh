#!/usr/bin/env bash
# Make the scale bench's inputs (issue 10): the `many` sample program with every goroutine count
# multiplied, built with Go 1.27 the way samples/build.sh builds `many` (static, same env), run with
# GOTRACEBACK=crash, dumped by SIGQUIT once READY: a kernel core plus the runtime's own crash dump
# (crash.txt, the oracle) and its runtime.Stack dump (stack.txt). Cores are GBs: they go to a scratch
# dir outside the repo and are never committed.
#
#   bash bench/scale-cores.sh GOROUTINES...     e.g. bash bench/scale-cores.sh 100000 1000000
# Env: GOSPY_SCALE_DIR (default /work/scratch/scale), GOSPY_CACHE (default ~/.cache/gospy).
# Result: $GOSPY_SCALE_DIR/g<N>/{many,core,crash.txt,stack.txt,info.txt}
set -euo pipefail
SAMPLES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../samples" && pwd)"
CACHE="${GOSPY_CACHE:-$HOME/.cache/gospy}"
DIR="${GOSPY_SCALE_DIR:-/work/scratch/scale}"
M=27
[ $# -gt 0 ] || { echo "usage: $0 GOROUTINES..." >&2; exit 2; }
GO="$(bash "$SAMPLES/toolchains.sh" --list | awk -v m=$M '$1==m {print $2}')"
[ -n "$GO" ] || { echo "go1.$M is not in the toolchain cache: run bash samples/toolchains.sh" >&2; exit 1; }
GOROOT="$(dirname "$(dirname "$GO")")"
PID=""
cleanup() { [ -z "$PID" ] || kill -9 "$PID" 2>/dev/null || true; }
trap cleanup EXIT

for N in "$@"; do
  # many.go parks 10,500 goroutines (4000 recv, 2500 sleep, 2000 mutex, 2000 select) + runtime ones.
  scale=$(( (N + 10499) / 10500 ))   # rounded up: at least N user goroutines
  out="$DIR/g$N"; src="$out/src"
  rm -rf "$out"; mkdir -p "$src"
  cp "$SAMPLES/programs/many/"* "$src/"
  sed -i -E "s/^(\tn(Recv|Sleep|Mutex|Select) += )([0-9]+)/\1\3 * $scale/" "$src/main.go"
  grep -qE "nRecv += 4000 \* $scale" "$src/main.go" || { echo "could not scale many/main.go" >&2; exit 1; }
  (cd "$src" && env -i PATH="$GOROOT/bin:/usr/bin:/bin" HOME="$CACHE/home" GOROOT="$GOROOT" GOPATH="$CACHE/gopath" \
     GOCACHE="$CACHE/gocache/go1.$M" GOTOOLCHAIN=local GOFLAGS=-mod=mod GO111MODULE=on GOPROXY=off \
     GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -o "$out/many" .)
  t0=$(date +%s)
  (
    cd "$out"
    ulimit -c unlimited
    exec env -i GOTRACEBACK=crash GOMAXPROCS=2 GOSPY_STACK_OUT=stack.txt GOSPY_SAMPLE_WAIT=0 ./many >stdout.txt 2>crash.txt </dev/null
  ) &
  PID=$!
  until grep -q READY "$out/stdout.txt" 2>/dev/null; do
    kill -0 "$PID" 2>/dev/null || { echo "many exited before READY" >&2; cat "$out/crash.txt" >&2; exit 1; }
    sleep 0.5
  done
  sleep 1   # main reaches its final channel receive
  kill -QUIT "$PID"
  set +e; wait "$PID"; rc=$?; set -e
  PID=""
  core="$(ls "$out"/core* | head -n1)"
  [ "$core" = "$out/core" ] || mv "$core" "$out/core"
  rm -rf "$src"
  { echo "goroutines requested: $N (scale $scale)"; echo "exit status: $rc"; echo "seconds: $(( $(date +%s) - t0 ))"
    echo "core bytes: $(stat -c %s "$out/core") (on disk $(du -B1 "$out/core" | cut -f1))"
    echo "crash.txt goroutines: $(grep -c '^goroutine ' "$out/crash.txt")"; } > "$out/info.txt"
  cat "$out/info.txt" >&2
done
