#!/usr/bin/env bash
# Fetch Go toolchains (and delve) from Debian packages into a private cache,
# without installing anything into the system.
#
#   bash samples/toolchains.sh          fetch what is missing, print "version  path"
#   bash samples/toolchains.sh --list   print "<minor> <path-to-go-binary>" for each cached toolchain
#   bash samples/toolchains.sh --delve-only   fetch only delve (sid), quietly; no-op when it is cached
#
# Cache: ${GOSPY_CACHE:-$HOME/.cache/gospy}/toolchains/go1.N/usr/lib/go-1.N  (GOROOT)
#        ${GOSPY_CACHE:-$HOME/.cache/gospy}/toolchains/delve/usr/bin/dlv
set -euo pipefail

CACHE="${GOSPY_CACHE:-$HOME/.cache/gospy}"
TC="$CACHE/toolchains"
APTDIR="$CACHE/apt"
MIRROR="${GOSPY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# minor versions wanted; the suites that are searched for them are in sources.list below
MINORS="${GOSPY_GO_MINORS:-15 19 21 22 23 24 26 27}"

list() {
  local d m
  for d in "$TC"/go1.*; do
    [ -d "$d" ] || continue
    m="${d##*/go1.}"
    [ -x "$d/usr/lib/go-1.$m/bin/go" ] && echo "$m $d/usr/lib/go-1.$m/bin/go"
  done | sort -n
}

if [ "${1:-}" = "--list" ]; then list; exit 0; fi
DELVE_ONLY=0
if [ "${1:-}" = "--delve-only" ]; then
  DELVE_ONLY=1
  # Idempotent and quiet: nothing to do (and no apt run) when delve is already cached.
  [ -x "$TC/delve/usr/bin/dlv" ] && exit 0
  MINORS=""
fi

mkdir -p "$TC" "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/etc" "$APTDIR/debs"
: > "$APTDIR/status"   # empty dpkg status: the host's installed packages play no role

write_sources() {  # $1 = extra option inside [...]
  local opt="$1" s
  : > "$APTDIR/etc/sources.list"
  for s in bullseye bookworm bookworm-backports trixie sid; do
    echo "deb [$opt] $MIRROR $s main" >> "$APTDIR/etc/sources.list"
  done
}

APT_OPTS=(
  -o Dir::Etc::SourceList="$APTDIR/etc/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null
  -o Dir::Etc::PreferencesParts=/dev/null
  -o Dir::State::Lists="$APTDIR/lists"
  -o Dir::State::status="$APTDIR/status"
  -o Dir::Cache="$APTDIR/cache"
  -o APT::Architecture=amd64
  -o APT::Architectures=amd64
  -o Acquire::Languages=none
  -o Debug::NoLocking=1
  -o APT::Sandbox::User=root
)
apt_() { apt-get "${APT_OPTS[@]}" "$@"; }
aptcache_() { apt-cache "${APT_OPTS[@]}" "$@"; }

# Refresh the package lists at most once a day (idempotent, quick re-runs).
stamp="$APTDIR/updated"
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
  # Signatures are checked with the Debian archive keyring. If that fails (e.g. sid is
  # signed by a key newer than the host's keyring) fall back to trusted=yes and say so.
  write_sources "signed-by=$KEYRING"
  if apt_ -q update >"$APTDIR/update.out" 2>"$APTDIR/update.err" && ! grep -qE '^(W|E): .*(NO_PUBKEY|not signed|EXPKEYSIG|is not signed|signature)' "$APTDIR/update.err"; then
    echo "signed" > "$APTDIR/trust"
  else
    cat "$APTDIR/update.err" >&2
    echo "WARNING: signature check failed with $KEYRING; using trusted=yes" >&2
    write_sources "trusted=yes"
    apt_ -q update >"$APTDIR/update.out"
    echo "trusted=yes" > "$APTDIR/trust"
  fi
  touch "$stamp"
fi

# Highest version of a package over all configured suites ("" if none).
best_version() {
  aptcache_ madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' \
    | while read -r v; do echo "$v"; done | sort -V -u | tail -n1 || true
}
suite_of() {  # package version -> suite(s) that carry it
  aptcache_ madison "$1" 2>/dev/null | awk -F'|' -v v="$2" '{gsub(/ /,"",$2); if ($2==v) print $3}' \
    | awk '{print $2}' | sort -u | tr '\n' ' '
}

# Turn absolute symlinks inside an extracted tree into relative ones pointing into the tree.
fix_symlinks() {
  local root="$1" l t abs rel
  while IFS= read -r -d '' l; do
    t="$(readlink "$l")"
    case "$t" in /*) ;; *) continue ;; esac
    abs="$root$t"
    rel="$(realpath -m --relative-to="$(dirname "$l")" "$abs")"
    ln -sfn "$rel" "$l"
  done < <(find "$root" -type l -print0)
}

fetch_pkgs() {  # dest pkg=ver...
  local dest="$1"; shift
  local tmp; tmp="$(mktemp -d "$APTDIR/debs/dl.XXXX")"
  ( cd "$tmp" && apt_ -q download "$@" >/dev/null )
  mkdir -p "$dest.partial"
  local f
  for f in "$tmp"/*.deb; do dpkg -x "$f" "$dest.partial"; done
  ls "$tmp" > "$dest.partial/.debs"
  rm -rf "$tmp"
}

for m in $MINORS; do
  dest="$TC/go1.$m"
  goroot="$dest/usr/lib/go-1.$m"
  if [ ! -x "$goroot/bin/go" ]; then
    vgo="$(best_version "golang-1.$m-go")"
    vsrc="$(best_version "golang-1.$m-src")"
    if [ -z "$vgo" ] || [ -z "$vsrc" ]; then
      echo "go1.$m: NOT AVAILABLE in any configured suite" >&2
      continue
    fi
    echo "go1.$m: fetching golang-1.$m-go=$vgo golang-1.$m-src=$vsrc from $(suite_of "golang-1.$m-go" "$vgo")" >&2
    rm -rf "$dest.partial"
    fetch_pkgs "$dest" "golang-1.$m-go=$vgo" "golang-1.$m-src=$vsrc"
    fix_symlinks "$dest.partial"
    rm -rf "$dest"; mv "$dest.partial" "$dest"
  fi
  v="$(GOROOT="$goroot" GOTOOLCHAIN=local GOFLAGS= GOENV=off "$goroot/bin/go" version 2>&1 || true)"
  printf '%s\t%s\t(debs: %s)\n' "$v" "$goroot/bin/go" "$(tr '\n' ' ' < "$dest/.debs")"
done

# delve from sid (test/export runs `dlv core`; failure is fatal only with --delve-only)
if [ ! -x "$TC/delve/usr/bin/dlv" ]; then
  vd="$(best_version delve)"
  if [ -n "$vd" ]; then
    rm -rf "$TC/delve.partial"
    if fetch_pkgs "$TC/delve" "delve=$vd"; then
      fix_symlinks "$TC/delve.partial"; rm -rf "$TC/delve"; mv "$TC/delve.partial" "$TC/delve"
    else
      echo "delve: download failed$([ "$DELVE_ONLY" = 1 ] || echo ' (ignored)')" >&2
      [ "$DELVE_ONLY" = 1 ] && exit 1
    fi
  else
    echo "delve: not available$([ "$DELVE_ONLY" = 1 ] || echo ' (ignored)')" >&2
    [ "$DELVE_ONLY" = 1 ] && exit 1
  fi
fi
[ "$DELVE_ONLY" = 1 ] && exit 0
if [ -x "$TC/delve/usr/bin/dlv" ]; then
  printf '%s\t%s\t(debs: %s)\n' "$("$TC/delve/usr/bin/dlv" version 2>/dev/null | sed -n 's/^Version: //p')" "$TC/delve/usr/bin/dlv" "$(tr '\n' ' ' < "$TC/delve/.debs")"
fi
echo "package signatures: $(cat "$APTDIR/trust" 2>/dev/null || echo unknown)" >&2
