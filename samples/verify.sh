#!/usr/bin/env bash
# Check samples/builds: files present, hashes, expected goroutines in stack.txt,
# ELF notes of every core, and status differences stack.txt vs crash.txt.
# *-stripped exes must have neither DWARF nor .symtab; arm64 exes/cores must be AArch64
# (their cores are written by qemu-user: only NT_PRSTATUS/NT_PRPSINFO/NT_AUXV notes).
#   bash samples/verify.sh [-q]
set -euo pipefail
SAMPLES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 - "$SAMPLES/builds" "$@" <<'PY'
import json, lzma, hashlib, os, re, subprocess, sys, tempfile, collections

root = sys.argv[1]
quiet = "-q" in sys.argv[2:]
bad = []
def err(d, msg): bad.append(f"{d}: {msg}")

STATES_FUNCS = [
    "main.blockChanRecv", "main.blockChanSend", "main.blockSelect(", "main.blockSelectNoCases",
    "main.blockNilChanRecv", "main.blockNilChanSend", "main.blockMutexLock", "main.blockRWMutexLock",
    "main.blockRWMutexRLock", "main.blockCondWait", "main.blockWaitGroup", "main.blockSleep",
    "main.blockTimeAfter", "main.blockTimerC", "main.blockNetAccept", "main.blockNetRead",
    "main.blockRawSyscall", "main.blockLockedThread", "main.recurse", "main.startClosure.func1",
    "main.inlC", "main.blockInlined", "main.nestedLevel1", "main.nestedLevel2", "main.nestedLevel3",
    "main.blockWithLabels", "main.spinA", "main.spinB", "main.writeStack",
]
HDR = re.compile(r"^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[([^\]]*)\]:$")

def parse(text):
    """id -> (status, first main.* function)"""
    out = {}
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        for i, l in enumerate(lines):
            m = HDR.match(l)
            if m:
                fn = next((x.split("(")[0] for x in lines[i+1:] if x.startswith("main.")), None)
                out.setdefault(int(m.group(1)), (m.group(2), fn))
                break
    return out

def norm(st):  # drop the wait duration for comparison
    return re.sub(r", \d+ minutes", "", st)

summary = []
for prog in sorted(os.listdir(root)):
    pdir = os.path.join(root, prog)
    if not os.path.isdir(pdir): continue
    for tag in sorted(os.listdir(pdir)):
        d = os.path.join(pdir, tag); name = f"{prog}/{tag}"
        def txt(f):
            p = os.path.join(d, f)
            if os.path.exists(p): return open(p).read()
            if os.path.exists(p + ".xz"): return lzma.open(p + ".xz", "rt").read()
            return None
        for f in ("exe.xz", "core.xz", "meta.json"):
            if not os.path.exists(os.path.join(d, f)): err(name, f"missing {f}")
        for f in ("stack.txt", "crash.txt"):
            if not (os.path.exists(os.path.join(d, f)) or os.path.exists(os.path.join(d, f + ".xz"))): err(name, f"missing {f}")
        if bad and bad[-1].startswith(name + ": missing"): continue
        meta = json.load(open(os.path.join(d, "meta.json")))
        for k in ("program", "goVersion", "goarch", "variant", "buildCommand", "env", "exePathAtBuild", "cores", "sha256"):
            if k not in meta: err(name, f"meta.json lacks {k}")
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, "exe")
            data = lzma.open(os.path.join(d, "exe.xz")).read(); open(exe, "wb").write(data)
            if hashlib.sha256(data).hexdigest() != meta["sha256"]["exe"]: err(name, "exe sha256 mismatch")
            secs = subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True).stdout
            stripped = bool(meta.get("stripped"))
            if stripped != meta["variant"].endswith("-stripped"): err(name, "meta.stripped does not match the variant name")
            if stripped:
                if "debug_info" in secs or ".symtab" in secs: err(name, "stripped exe has DWARF or .symtab")
                if ".gopclntab" not in secs: err(name, "stripped exe has no .gopclntab")
            elif "debug_info" not in secs: err(name, "exe has no DWARF .debug_info")
            machine = {"amd64": "X86-64", "arm64": "AArch64"}[meta["goarch"]]
            ftype = subprocess.run(["readelf", "-hW", exe], capture_output=True, text=True).stdout
            if not re.search(r"Machine:\s+.*" + machine, ftype): err(name, f"exe is not {machine}")
            interp = "INTERP" in subprocess.run(["readelf", "-lW", exe], capture_output=True, text=True).stdout
            etype = "DYN" if "DYN" in ftype else "EXEC"
            want = {"static": ("EXEC", False), "pie": ("DYN", True), "cgo": (None, True)}[meta["variant"].removesuffix("-stripped")]
            if want[0] and etype != want[0]: err(name, f"ELF type {etype}")
            if interp != want[1]: err(name, f"PT_INTERP present={interp}")
            notes_summary = []
            for c in meta["cores"]:
                core = os.path.join(tmp, "core")
                with lzma.open(os.path.join(d, c)) as src, open(core, "wb") as dst:
                    h = hashlib.sha256()
                    while True:
                        b = src.read(1 << 22)
                        if not b: break
                        h.update(b); dst.write(b)
                key = "core" if c == "core.xz" else "gcore"
                if meta["sha256"].get(key) and h.hexdigest() != meta["sha256"][key]: err(name, f"{c} sha256 mismatch")
                n = subprocess.run(["readelf", "-nW", core], capture_output=True, text=True).stdout
                ch = subprocess.run(["readelf", "-hW", core], capture_output=True, text=True).stdout
                if not re.search(r"Machine:\s+.*" + machine, ch) or "CORE" not in ch: err(name, f"{c} is not a {machine} core")
                cnt = collections.Counter(re.findall(r"\b(NT_[A-Z0-9_]+)", n))
                needs = ("NT_PRSTATUS", "NT_PRPSINFO", "NT_AUXV")
                if meta.get("coreWriter") != "qemu-user": needs += ("NT_FILE", "NT_FPREGSET")
                for need in needs:
                    if cnt[need] == 0: err(name, f"{c}: no {need}")
                notes_summary.append(f"{c}: {cnt['NT_PRSTATUS']} threads, " + ",".join(sorted(cnt)))
                os.unlink(core)
        stack, crash = txt("stack.txt"), txt("crash.txt")
        if not crash.startswith("SIGQUIT: quit") and "SIGQUIT: quit" not in crash: err(name, "crash.txt has no SIGQUIT dump")
        s, c = parse(stack), parse(crash)
        if prog == "states":
            gen = "main.genericWait" if int(meta["goVersion"].split(".")[1]) >= 18 else "main.genericWaitStub"
            for f in STATES_FUNCS + [gen]:
                if f not in stack: err(name, f"stack.txt lacks {f}")
        else:
            if len(s) < 10000: err(name, f"only {len(s)} goroutines in stack.txt")
        mins = sum(1 for st, _ in s.values() if "minutes" in st)
        diffs = collections.Counter()
        for gid, (st, fn) in s.items():
            if gid in c and norm(c[gid][0]) != norm(st):
                diffs[f"{fn or '?'}: {st!r} -> {c[gid][0]!r}"] += 1
        missing = [f"{fn}({gid})" for gid, (st, fn) in s.items() if gid not in c]
        runnable = [fn for gid, (st, fn) in s.items() if st.startswith("runnable") and fn not in ("main.spinA", "main.spinB")]
        if runnable: err(name, f"not parked in stack.txt: {runnable[:5]}")
        summary.append((name, meta["goVersion"], len(s), len(c), mins, notes_summary, diffs, missing))

if not quiet:
    for name, gv, ns, nc, mins, notes, diffs, missing in summary:
        print(f"{name} {gv}: stack.txt {ns} goroutines ({mins} with minutes), crash.txt {nc}")
        for n in notes: print(f"    {n}")
        for k, v in sorted(diffs.items()): print(f"    status differs: {k}" + (f" x{v}" if v > 1 else ""))
        if missing: print(f"    in stack.txt but not in crash.txt: {' '.join(missing[:10])}")
print(f"{len(summary)} build dirs checked, {len(bad)} problems")
for b in bad: print("PROBLEM", b)
sys.exit(1 if bad else 0)
PY
