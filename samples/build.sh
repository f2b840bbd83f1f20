#!/usr/bin/env bash
# Rebuild every fixture under samples/builds from nothing:
#   bash samples/build.sh                        everything (removes samples/builds first)
#   bash samples/build.sh --only stripped,arm64  only these groups; other fixtures stay untouched
# Groups: base (static/pie/cgo amd64 + many + gcores), stripped (amd64 *-stripped of `states`),
#         arm64 (`states` for GOARCH=arm64, run under qemu-aarch64-static, qemu-written guest core).
# Env knobs: GOSPY_CACHE (toolchain/build cache, default ~/.cache/gospy),
#            GOSPY_GO_MINORS (default "15 19 21 22 23 24 26 27"),
#            GOSPY_STRIPPED_MINORS (default "15 19 21 24 27"), GOSPY_ARM64_MINORS (default "19 27"),
#            GOSPY_LONG_WAIT (seconds slept before the dump in the long runs, default 65).
# Requires: apt-get, dpkg, gcc, gdb (gcore), xz, python3, readelf; for arm64 qemu-user-static.
set -euo pipefail

SAMPLES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${GOSPY_CACHE:-$HOME/.cache/gospy}"
MINORS="${GOSPY_GO_MINORS:-15 19 21 22 23 24 26 27}"
LONG_WAIT="${GOSPY_LONG_WAIT:-65}"
SRC_ROOT=/tmp/gospy-samples          # fixed build path (recorded in DWARF / pclntab)
RUN_ROOT=/tmp/gospy-run              # fixed run path of every exe (recorded in the cores' NT_FILE)
OUT="$SAMPLES/builds"
VARIANTS="static pie cgo"
MANY_MINORS="19 27"                  # `many` is built static for these only
GCORE_MINORS="19 27"                 # gcore of the static `states` for these only
GCORE_MAX_XZ=$((8 * 1024 * 1024))
GCORE_MAX_RAW=$((1536 * 1024 * 1024))
STRIPPED_MINORS="${GOSPY_STRIPPED_MINORS:-15 19 21 24 27}"
STRIPPED_VARIANTS="static-stripped pie-stripped cgo-stripped"
ARM64_MINORS="${GOSPY_ARM64_MINORS:-19 27}"
ARM64_VARIANTS="static static-stripped"   # pie: PT_INTERP /lib/ld-linux-aarch64.so.1, not on the host
QEMU=/usr/bin/qemu-aarch64-static

GROUPS_ALL="base stripped arm64"
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="${2:?--only needs a list, e.g. stripped,arm64}"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; shift ;;
    *) echo "usage: $0 [--only base,stripped,arm64]" >&2; exit 2 ;;
  esac
done
GROUPS_ON="${ONLY//,/ }"; GROUPS_ON="${GROUPS_ON:-$GROUPS_ALL}"
for g in $GROUPS_ON; do case " $GROUPS_ALL " in *" $g "*) ;; *) echo "unknown group $g" >&2; exit 2 ;; esac; done
group_on() { case " $GROUPS_ON " in *" $1 "*) true ;; *) false ;; esac; }
if group_on arm64 && [ ! -x "$QEMU" ]; then echo "arm64 needs $QEMU (apt-get install qemu-user-static)" >&2; exit 1; fi

T0=$(date +%s)
log() { printf '[%4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }

# ---------------------------------------------------------------- cleanup
PIDS=()          # every sample process we started
declare -A PID_EXE
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    # only kill it if it is still our sample program (PIDs can be reused)
    if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "${PID_EXE[$p]:-}" ]; then
      kill -9 "$p" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- toolchains
bash "$SAMPLES/toolchains.sh" >&2
declare -A GOBIN
while read -r m path; do GOBIN[$m]="$path"; done < <(bash "$SAMPLES/toolchains.sh" --list)

# ---------------------------------------------------------------- builds
if [ -z "$ONLY" ]; then rm -rf "$OUT" "$RUN_ROOT"; fi   # --only: replace just the dirs it builds
mkdir -p "$OUT" "$RUN_ROOT"
JOBS=()   # "program tag minor variant wait"

build_one() {  # program minor variant [goarch]
  local prog="$1" m="$2" var="$3" arch="${4:-amd64}"
  local goroot; goroot="$(dirname "$(dirname "${GOBIN[$m]}")")"
  local tag="go1.$m-$arch-$var"
  local rundir="$RUN_ROOT/$prog/$tag" dst="$OUT/$prog/$tag"
  local exe="$rundir/$prog"
  rm -rf "$rundir" "$dst"
  mkdir -p "$rundir" "$dst"
  rm -rf "${SRC_ROOT:?}/$prog"; mkdir -p "$SRC_ROOT"
  cp -r "$SAMPLES/programs/$prog" "$SRC_ROOT/$prog"

  local cgo=0 args=(build) shown=(build)
  case "$var" in
    static) ;;
    pie) args+=(-buildmode=pie) ;;
    cgo) cgo=1; args+=(-ldflags=-linkmode=external) ;;
    static-stripped) args+=("-ldflags=-s -w") ;;
    pie-stripped) args+=(-buildmode=pie "-ldflags=-s -w") ;;
    cgo-stripped) cgo=1; args+=("-ldflags=-linkmode=external -s -w") ;;
    *) echo "unknown variant $var" >&2; exit 1 ;;
  esac
  args+=(-o "$exe" .)
  local a; for a in "${args[@]:1}"; do
    case "$a" in *" "*) shown+=("${a%%=*}='${a#*=}'") ;; *) shown+=("$a") ;; esac   # for buildCommand
  done
  local envv=(
    "PATH=$goroot/bin:/usr/bin:/bin"
    "HOME=$CACHE/home"
    "GOROOT=$goroot"
    "GOPATH=$CACHE/gopath"
    "GOCACHE=$CACHE/gocache/go1.$m"
    "GOTOOLCHAIN=local"
    "GOFLAGS=-mod=mod"
    "GO111MODULE=on"
    "GOPROXY=off"
    "GOOS=linux"
    "GOARCH=$arch"
    "CGO_ENABLED=$cgo"
  )
  [ "$cgo" = 1 ] && envv+=("CC=gcc")
  mkdir -p "$CACHE/home"
  local premod=""
  # Go 1.18-1.20 only allow generics when go.mod says go >= 1.18 (1.21+ take the
  # //go:build go1.18 line of generic.go as the file's language version).
  if [ "$m" -ge 18 ] && [ "$m" -le 20 ]; then
    premod="go mod edit -go=1.18 && "
    (cd "$SRC_ROOT/$prog" && env -i "${envv[@]}" go mod edit -go=1.18)
  fi
  log "build $prog $tag"
  (cd "$SRC_ROOT/$prog" && env -i "${envv[@]}" go "${args[@]}")
  local gover; gover="$(env -i "${envv[@]}" go version | awk '{print $3}')"

  local qemu=""
  [ "$arch" = amd64 ] || qemu="$("$QEMU" --version | head -n1)"
  python3 - "$dst/meta.part.json" "$prog" "$gover" "$var" "cd $SRC_ROOT/$prog && ${premod}go ${shown[*]}" "$exe" "$arch" "$qemu" "${envv[@]}" <<'PY'
import json, sys
out, prog, gover, var, cmd, exe, arch, qemu, *env = sys.argv[1:]
m = {"program": prog, "goVersion": gover, "goarch": arch, "variant": var,
     "buildCommand": cmd, "env": dict(e.split("=", 1) for e in env),
     "exePathAtBuild": exe}
if var.endswith("-stripped"): m["stripped"] = True
if qemu:  # not run natively: qemu-user runs it and writes the (guest) core itself
    m["emulator"] = qemu
    m["coreWriter"] = "qemu-user"
json.dump(m, open(out, "w"))
PY
  local wait=0
  case "$var" in static|cgo|static-stripped) [ "$prog" = states ] && wait="$LONG_WAIT" ;; esac
  JOBS+=("$prog $tag $m $var $wait")
}

for m in $MINORS; do
  if [ -z "${GOBIN[$m]:-}" ]; then log "go1.$m not available, skipped"; continue; fi
  if group_on base; then
    for var in $VARIANTS; do build_one states "$m" "$var"; done
    case " $MANY_MINORS " in *" $m "*) build_one many "$m" static ;; esac
  fi
  if group_on stripped; then
    case " $STRIPPED_MINORS " in *" $m "*) for var in $STRIPPED_VARIANTS; do build_one states "$m" "$var"; done ;; esac
  fi
  if group_on arm64; then
    case " $ARM64_MINORS " in *" $m "*) for var in $ARM64_VARIANTS; do build_one states "$m" "$var" arm64; done ;; esac
  fi
done
T_BUILD=$(( $(date +%s) - T0 ))
log "all builds done"

# ---------------------------------------------------------------- run
# The long-wait runs (GOSPY_SAMPLE_WAIT=$LONG_WAIT) start first; the others start
# so that they become READY at about the same time. Everything must be dumped
# well before the runtime's forced GC (2 minutes after the last GC), which would
# change waitsince values between stack.txt and the core.
declare -A JOB_PID
start_job() {  # prog tag wait
  local prog="$1" tag="$2" wait="$3" rundir="$RUN_ROOT/$1/$2" pid
  rm -f "$rundir"/core* "$rundir"/qemu_*.core "$rundir"/stdout.txt "$rundir"/crash.txt "$rundir"/stack.txt
  echo "$wait" > "$rundir/wait"
  # arm64: qemu-user runs the guest; SIGQUIT to qemu's PID is delivered to the guest, and on
  # the guest's fatal signal qemu writes qemu_<prog>_<date>-<time>_<pid>.core (AArch64) in the
  # cwd, then dies of that signal itself (the kernel then also writes `core`, qemu's own; dropped).
  local runner=() pexe="$rundir/$prog"
  case "$tag" in *-arm64-*) runner=("$QEMU"); pexe="$QEMU" ;; esac
  (
    cd "$rundir"
    ulimit -c unlimited
    exec env -i GOTRACEBACK=crash GOMAXPROCS=2 GOSPY_STACK_OUT=stack.txt GOSPY_SAMPLE_WAIT="$wait" \
      "${runner[@]}" "./$prog" >stdout.txt 2>crash.txt </dev/null
  ) &
  pid=$!
  PIDS+=("$pid"); PID_EXE[$pid]="$pexe"; JOB_PID[$tag/$prog]=$pid
  echo "$(date +%s.%N)" > "$rundir/start-time"
  log "started $prog $tag pid=$pid wait=${wait}s"
}
t_start=$(date +%s)
for j in "${JOBS[@]}"; do read -r prog tag m var wait <<<"$j"; [ "$wait" -gt 0 ] && start_job "$prog" "$tag" "$wait"; done
if [ "$LONG_WAIT" -gt 6 ]; then sleep $(( t_start + LONG_WAIT - 4 - $(date +%s) )) || true; fi
for j in "${JOBS[@]}"; do read -r prog tag m var wait <<<"$j"; [ "$wait" -eq 0 ] && start_job "$prog" "$tag" 0; done

# Every process gets SIGQUIT as soon as it is READY (keeps the state in the core
# as close as possible to stack.txt), except the gcore targets: they are dumped
# with gcore once everything else has exited (gdb is slow on a loaded machine).
is_gcore_target() { [ "$1" = states ] && [ "$2" = "go1.$3-amd64-static" ] && case " $GCORE_MINORS " in *" $3 "*) true ;; *) false ;; esac; }
quit_job() {  # prog tag
  local rundir="$RUN_ROOT/$1/$2"
  date +%s.%N > "$rundir/quit-time"
  kill -QUIT "${JOB_PID[$2/$1]}"
}
reap_job() {  # prog tag
  local pid=${JOB_PID[$2/$1]} rc
  for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "WARNING: $1 $2 still alive 120s after SIGQUIT, SIGKILL"; kill -9 "$pid"; fi
  set +e; wait "$pid" 2>/dev/null; rc=$?; set -e
  echo "$rc" > "$RUN_ROOT/$1/$2/exit-status"
}
deadline=$(( t_start + LONG_WAIT + 120 ))
declare -A DONE READY_AT
pending=${#JOBS[@]}
while [ "$pending" -gt 0 ]; do
  for j in "${JOBS[@]}"; do
    read -r prog tag m var wait <<<"$j"
    [ -z "${DONE[$tag/$prog]:-}" ] || continue
    rundir="$RUN_ROOT/$prog/$tag"; pid=${JOB_PID[$tag/$prog]:-}
    [ -n "$pid" ] || continue
    if [ -z "${READY_AT[$tag/$prog]:-}" ] && grep -q READY "$rundir/stdout.txt" 2>/dev/null; then
      READY_AT[$tag/$prog]=$(date +%s%N)
    fi
    # give main 1 s after printing READY to reach its final channel receive
    if [ -n "${READY_AT[$tag/$prog]:-}" ] && [ $(( $(date +%s%N) - READY_AT[$tag/$prog] )) -ge 1000000000 ]; then
      DONE[$tag/$prog]=1; pending=$((pending - 1))
      if is_gcore_target "$prog" "$tag" "$m"; then log "READY $prog $tag (kept for gcore)"
      else quit_job "$prog" "$tag"; log "READY $prog $tag -> SIGQUIT"; fi
    elif ! kill -0 "$pid" 2>/dev/null; then
      log "ERROR: $prog $tag exited before READY"; cat "$rundir/crash.txt" >&2; exit 1
    fi
  done
  if [ "$(date +%s)" -gt "$deadline" ]; then log "ERROR: not all READY in time"; exit 1; fi
  sleep 0.2
done
for j in "${JOBS[@]}"; do
  read -r prog tag m var wait <<<"$j"
  is_gcore_target "$prog" "$tag" "$m" || reap_job "$prog" "$tag"
done
log "all non-gcore runs exited"

# ---------------------------------------------------------------- gcore (compressed later), then SIGQUIT
for j in "${JOBS[@]}"; do
  read -r prog tag m var wait <<<"$j"
  is_gcore_target "$prog" "$tag" "$m" || continue
  rundir="$RUN_ROOT/$prog/$tag"; pid=${JOB_PID[$tag/$prog]}
  t=$(date +%s.%N)
  if gcore -o "$rundir/gcore" "$pid" >"$rundir/gcore.log" 2>&1; then
    mv "$rundir/gcore.$pid" "$rundir/gcore.raw"
    awk -v a="$(date +%s.%N)" -v b="$t" 'BEGIN{printf "%.1f\n", a-b}' > "$rundir/gcore.seconds"
    log "gcore $prog $tag: $(stat -c %s "$rundir/gcore.raw") bytes in $(cat "$rundir/gcore.seconds")s"
  else
    log "gcore failed for $tag"; cat "$rundir/gcore.log" >&2
  fi
  quit_job "$prog" "$tag"
  reap_job "$prog" "$tag"
done
log "all exited"

# ---------------------------------------------------------------- collect
collect() {  # prog tag
  local prog="$1" tag="$2"
  local rundir="$RUN_ROOT/$prog/$tag" dst="$OUT/$prog/$tag"
  local core
  case "$tag" in
    *-arm64-*) core="$(ls "$rundir"/qemu_*.core 2>/dev/null | head -n1 || true)"; rm -f "$rundir/core" ;;  # guest core; `core` = qemu's own
    *) core="$(ls "$rundir"/core* 2>/dev/null | grep -v '\.xz$' | head -n1 || true)" ;;
  esac
  [ -n "$core" ] || { echo "ERROR: no core for $prog $tag" >&2; return 1; }
  local txt texts=()
  for txt in stack.txt crash.txt; do
    if [ "$(stat -c %s "$rundir/$txt")" -gt $((1024 * 1024)) ]; then
      xz -9 -T1 -c "$rundir/$txt" > "$dst/$txt.xz"; texts+=("$txt.xz")   # `many`: multi-MB dumps
    else
      cp "$rundir/$txt" "$dst/"; texts+=("$txt")
    fi
  done
  xz -9 -T1 -c "$rundir/$prog" > "$dst/exe.xz"
  xz -9 -T1 -c "$core" > "$dst/core.xz"
  local cores='["core.xz"]' gsha=""
  if [ -f "$rundir/gcore.raw" ]; then
    local raw zsz dec
    raw=$(stat -c %s "$rundir/gcore.raw")
    xz -9 -T2 -c "$rundir/gcore.raw" > "$dst/gcore.xz"
    zsz=$(stat -c %s "$dst/gcore.xz")
    if [ "$raw" -le "$GCORE_MAX_RAW" ] && [ "$zsz" -le "$GCORE_MAX_XZ" ]; then
      dec=kept; cores='["core.xz","gcore.xz"]'; gsha="$(sha256sum "$rundir/gcore.raw" | cut -d' ' -f1)"
    else
      dec=dropped; rm -f "$dst/gcore.xz"
    fi
    echo "$prog/$tag gcore: raw=$raw bytes, xz -9 =$zsz bytes, gcore took $(cat "$rundir/gcore.seconds")s -> $dec (limits: raw <= $GCORE_MAX_RAW, xz <= $GCORE_MAX_XZ)" \
      >> "$OUT/gcore-decisions.txt"
    rm -f "$rundir/gcore.raw"
  fi
  python3 - "$dst" "$cores" "$(sha256sum "$rundir/$prog" | cut -d' ' -f1)" "$(sha256sum "$core" | cut -d' ' -f1)" "$gsha" \
    "$(cat "$rundir/exit-status")" "$rundir" "${texts[*]}" <<'PY'
import json, sys
dst, cores, sexe, score, sg, rc, rundir, texts = sys.argv[1:]
m = json.load(open(dst + "/meta.part.json"))
m["cores"] = json.loads(cores)
m["sha256"] = {"exe": sexe, "core": score}          # of the uncompressed files
if sg: m["sha256"]["gcore"] = sg
m["runCwd"] = rundir
if m.get("emulator"): m["runCommand"] = "qemu-aarch64-static ./" + m["program"]
m["runEnv"] = {"GOTRACEBACK": "crash", "GOMAXPROCS": "2", "GOSPY_STACK_OUT": "stack.txt",
               "GOSPY_SAMPLE_WAIT": open(rundir + "/wait").read().strip()}
m["exitStatus"] = int(rc)
st, qt = (float(open(rundir + f).read()) for f in ("/start-time", "/quit-time"))
m["secondsFromStartToSigquit"] = round(qt - st, 1)
m["texts"] = texts.split()   # stack.txt / crash.txt, or .xz of them when > 1 MiB
json.dump(m, open(dst + "/meta.json", "w"), indent=2)
open(dst + "/meta.json", "a").write("\n")
PY
  rm -f "$dst/meta.part.json" "$core"   # the raw core is large (sparse); the exe stays for debugging
}
group_on base && : > "$OUT/gcore-decisions.txt"
pids=()
for j in "${JOBS[@]}"; do
  read -r prog tag m var wait <<<"$j"
  collect "$prog" "$tag" &
  pids+=($!)
  if [ "${#pids[@]}" -ge 2 ]; then wait "${pids[0]}" || log "collect failed"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || log "collect failed"; done
log "collected"

bash "$SAMPLES/verify.sh" || log "verify.sh reported problems"
du -sb "$SAMPLES" >&2
log "done (builds took ${T_BUILD}s, total $(( $(date +%s) - T0 ))s)"
