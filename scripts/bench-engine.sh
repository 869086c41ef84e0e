#!/usr/bin/env bash
# Benchmark (not a test): the causal engine against statsmodels/numpy at n = 1,000,000, p = 20, on the data of
# ../shared/datasets/scripts/gen_synth.py, each method timed by JMH (engine) and by time_py.py (peer) in the same
# run, method after method, then one fresh JVM per method for the memory figures. Prints one table; results are
# kept in .work/bench-engine/ (table.md, peer/*.json, jmh/*.json, memory.jsonl, load.txt).
#
# Usage: scripts/bench-engine.sh [--quick] [--no-memory | --memory-only] [--profile] [METHOD...]
#   METHOD: sm_ols_hc1 sm_logit np_ipw np_aipw logit_plus_aipw logit_plus_aipw_kernels np_2sls_hc1
#           np_2sls_hc1_facade sm_iv2sls (default: these); logit_plus_aipw_kernels and np_2sls_hc1_facade are
#           engine-only variants, compared with the peer's logit_plus_aipw and np_2sls_hc1; np_2sls_hc1_nodiag (run
#           only when named) is the engine's 2SLS with diagnostics off (IvOptions.withDiagnostics(false)), compared with
#           np_2sls_hc1; np_2sls_hc1_lean (run only when named) is a bare 2SLS on the engine's linalg kernels, not an
#           engine code path
#   --quick      1 fork, 1 warmup and 3 measurement iterations (a smoke run, not figures to quote)
#   --no-memory  skip the one-shot memory runs
#   --memory-only  only the one-shot memory runs (the table then shows the timings of the last run, if any)
#   --profile    instead of the table: where the engine's time goes, per method (JMH's JFR profiler, 1 fork;
#                top self and inclusive frames in .work/bench-engine/hotspots-METHOD.txt)
# Environment: FORKS (2), WARMUP (3), ITERATIONS (5), ITER_TIME (2s), XMX (2g, the JMH forks' -Xms/-Xmx),
#   MEM_STEP (4, MiB), BENCH_WORK (.work/bench-engine), SYNTH (.work/synth), DATASETS (../shared/datasets), NO_BUILD=1,
#   GRAM_KERNEL=scalar (the engine's scalar kernels, Gram and IPW, instead of the Vector API's, for comparison).
# Every engine JVM gets --add-modules=jdk.incubator.vector (the Gram kernel; see causal-engine/BENCHMARKS.md); the kernel
# that ran is printed by each trial (GRAM_KERNEL in logs/jmh-*.log) and shown with the table.
# Needs python3 with numpy and statsmodels (`pip install numpy statsmodels`), Java 17, network for Maven Central
# the first time (JMH 1.37).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ALL_METHODS=(sm_ols_hc1 sm_logit np_ipw np_aipw logit_plus_aipw logit_plus_aipw_kernels np_2sls_hc1 np_2sls_hc1_facade
  sm_iv2sls)
FORKS=${FORKS:-2}
WARMUP=${WARMUP:-3}
ITERATIONS=${ITERATIONS:-5}
ITER_TIME=${ITER_TIME:-2s}
XMX=${XMX:-2g}
# what every engine JVM gets besides the heap: the Vector API module for linalg.Gram's kernel (a JVM without it runs the
# scalar kernel), and optionally the property that forces the scalar kernel
ENGINE_JVM_ARGS="--add-modules=jdk.incubator.vector${GRAM_KERNEL:+ -Dcounterfact.engine.gram-kernel=$GRAM_KERNEL}"
MEMORY=1
TIMING=1
PROFILE=0
METHODS=()
for arg in "$@"; do
  case "$arg" in
    --quick) FORKS=1 WARMUP=1 ITERATIONS=3 ;;
    --no-memory) MEMORY=0 ;;
    --memory-only) TIMING=0 ;;
    --profile) PROFILE=1 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) [[ " ${ALL_METHODS[*]} np_2sls_hc1_lean np_2sls_hc1_nodiag " == *" $arg "* ]] \
         || { echo "unknown method $arg; one of ${ALL_METHODS[*]} np_2sls_hc1_lean np_2sls_hc1_nodiag" >&2; exit 2; }
       METHODS+=("$arg") ;;
  esac
done
[ ${#METHODS[@]} -gt 0 ] || METHODS=("${ALL_METHODS[@]}")

DATASETS=${DATASETS:-$ROOT/../shared/datasets}
SYNTH=${SYNTH:-$ROOT/.work/synth}
WORK=${BENCH_WORK:-$ROOT/.work/bench-engine}
JAR=$ROOT/causal-engine/target/bench/benchmarks.jar
mkdir -p "$WORK/peer" "$WORK/jmh" "$WORK/logs"

# the python peer runs with OpenBLAS choosing its own kernel: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set on some
# machines for old OpenBLAS builds and slow a current numpy; they are unset for the peer's commands only
peer_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

if ! python3 -c 'import numpy, statsmodels' 2>/dev/null; then
  echo "python3 with numpy and statsmodels is needed for the data and the peer: pip install numpy statsmodels" >&2
  exit 1
fi
[ -f "$DATASETS/scripts/gen_synth.py" ] || { echo "no $DATASETS/scripts/gen_synth.py (set DATASETS)" >&2; exit 1; }

# --- data -------------------------------------------------------------------------------------------------------
data_ok() {
  [ -f "$SYNTH/obs.bin" ] && [ -f "$SYNTH/iv.bin" ] && [ -f "$SYNTH/meta.json" ] || return 1
  [ "$(stat -c %s "$SYNTH/obs.bin")" = 176000000 ] && [ "$(stat -c %s "$SYNTH/iv.bin")" = 184000000 ] || return 1
  python3 - "$SYNTH" <<'EOF'
import hashlib, json, sys
d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
for name in ("obs", "iv"):
    h = hashlib.sha256()
    with open(f"{d}/{name}.bin", "rb") as f:
        for chunk in iter(lambda: f.read(1 << 24), b""):
            h.update(chunk)
    if h.hexdigest() != meta[f"{name}_sha256"]:
        sys.exit(f"{name}.bin does not match meta.json's sha256")
EOF
}
if ! data_ok; then
  echo "generating $SYNTH (gen_synth.py: obs.bin 176 MB, iv.bin 184 MB)..."
  mkdir -p "$SYNTH"
  python3 "$DATASETS/scripts/gen_synth.py" "$SYNTH" > "$WORK/logs/gen_synth.log"
  data_ok || { echo "generated data fail their checksum check" >&2; exit 1; }
fi

# --- build --------------------------------------------------------------------------------------------------------
if [ "${NO_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
  echo "building the benchmarks (./mvnw -pl causal-engine -Pbench package)..."
  ./mvnw -q -pl causal-engine -Pbench package > "$WORK/logs/build.log" 2>&1 || { cat "$WORK/logs/build.log" >&2; exit 1; }
  # what the jar was built from, for the report of runs with NO_BUILD=1
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- causal-engine/src/main \
    2>/dev/null || echo ' + uncommitted changes in causal-engine/src/main'), built $(date -u +%Y-%m-%dT%H:%MZ)" \
    > "$(dirname "$JAR")/built-from.txt"
fi

# --- machine ----------------------------------------------------------------------------------------------------
load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "engine: $(cat "$(dirname "$JAR")/built-from.txt" 2>/dev/null || echo 'jar built outside this script')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores available"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "engine JVM flags: $ENGINE_JVM_ARGS"
  echo "jmh: avgt, $FORKS forks x ($WARMUP warmup + $ITERATIONS measurement iterations of $ITER_TIME), -Xms$XMX -Xmx$XMX, -prof gc"
  echo "python: $(python3 -c 'import sys, numpy, statsmodels; print(sys.version.split()[0], "numpy", numpy.__version__, "statsmodels", statsmodels.__version__)')"
  echo "numpy BLAS (peer's environment): $("${peer_env[@]}" python3 - <<'EOF'
import ctypes, glob, os, numpy
try:
    from threadpoolctl import threadpool_info
    print("; ".join(f"{d.get('internal_api')} {d.get('version')} kernel {d.get('architecture')}, {d.get('num_threads')} threads"
                    for d in threadpool_info() if d.get("user_api") == "blas") + " (threadpoolctl)")
except ImportError:
    out = []
    for path in glob.glob(os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*")):
        lib = ctypes.CDLL(path)
        for pre in ("scipy_openblas_", "openblas_"):
            for suf in ("64_", ""):
                core = getattr(lib, pre + "get_corename" + suf, None)
                if core is not None:
                    core.restype = ctypes.c_char_p
                    threads = getattr(lib, pre + "get_num_threads" + suf)()
                    out.append(f"{os.path.basename(path)} kernel {core().decode()}, {threads} threads")
                    break
            else:
                continue
            break
    print("; ".join(out) + " (OpenBLAS via ctypes; threadpoolctl not installed)" if out else "unknown")
EOF
)"
  echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-unset} in this shell; unset for the peer's commands"
} > "$WORK/machine-$([ "$TIMING" = 1 ] && echo timings || echo memory).txt"
cat "$WORK/machine-$([ "$TIMING" = 1 ] && echo timings || echo memory).txt"
[ "$TIMING" = 0 ] || : > "$WORK/load.txt"

# --- timings: peer then engine, method after method -------------------------------------------------------------
peer_of() {
  case "$1" in logit_plus_aipw_kernels) echo logit_plus_aipw ;; *_facade) echo "${1%_facade}" ;; *_lean) echo "${1%_lean}" ;; *_nodiag) echo "${1%_nodiag}" ;;
    *) echo "$1" ;; esac
}

if [ "$PROFILE" = 1 ]; then
  for m in "${METHODS[@]}"; do
    p=$(peer_of "$m")
    if [ ! -s "$WORK/peer/$p.json" ]; then  # the engine's result check needs the peer's result
      "${peer_env[@]}" python3 "$DATASETS/scripts/time_py.py" "$p" "$SYNTH" > "$WORK/peer/$p.json"
    fi
    echo "[$(date +%T) load $(load)] profiling $m (JMH + JFR)"
    rm -rf "$WORK/jfr/$m"
    BENCH_DATA=$SYNTH BENCH_PEER=$WORK/peer java -jar "$JAR" "EngineBench\.$m\$" -f 1 -wi "$WARMUP" -w "$ITER_TIME" \
      -i "$ITERATIONS" -r "$ITER_TIME" -jvmArgsAppend "-Xms$XMX -Xmx$XMX $ENGINE_JVM_ARGS" -prof "jfr:dir=$WORK/jfr/$m;stackDepth=128" \
      > "$WORK/logs/profile-$m.log" 2>&1 || { tail -40 "$WORK/logs/profile-$m.log" >&2; exit 1; }
    python3 - "$(find "$WORK/jfr/$m" -name '*.jfr' | head -1)" > "$WORK/hotspots-$m.txt" <<'PY'
import collections, re, subprocess, sys
text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128", sys.argv[1]],
                      capture_output=True, text=True, check=True).stdout
samples = [f for f in (re.findall(r"^\s+([\w$.<>]+)\(.*?\)\s+line: (\d+)", b, re.M)
                       for b in text.split("jdk.ExecutionSample")[1:]) if f]
n = len(samples)
print(f"{n} execution samples (all threads; the stacks of the engine's pool threads start at Parallel$RangeTask, "
      "so their callers are not seen)")
print("self time by method:")
for m, c in collections.Counter(f[0][0] for f in samples).most_common(12):
    print(f"  {100 * c / n:5.1f}%  {m}")
print("self time by line:")
for m, c in collections.Counter(f"{f[0][0]}:{f[0][1]}" for f in samples).most_common(12):
    print(f"  {100 * c / n:5.1f}%  {m}")
print("inclusive time, engine methods:")
incl = collections.Counter(m for f in samples for m in set(x[0] for x in f))
for m, c in incl.most_common():
    if m.startswith("io.counterfact.engine") and ".bench." not in m and "jmh_generated" not in m and 100 * c / n >= 0.5:
        print(f"  {100 * c / n:5.1f}%  {m}")
PY
    cat "$WORK/hotspots-$m.txt"
  done
  exit 0
fi
for m in "${METHODS[@]}"; do
  [ "$TIMING" = 1 ] || break
  p=$(peer_of "$m")
  # the engine checks its result against this file: run the peer for every method timed here
  if [ "$p" = "$m" ] || [ ! -s "$WORK/peer/$p.json" ]; then
    echo "[$(date +%T) load $(load)] peer  $p (time_py.py, 3 runs)"
    echo "$p peer start $(load)" >> "$WORK/load.txt"
    "${peer_env[@]}" /usr/bin/time -f '%M' -o "$WORK/peer/$p.maxrss_kb" \
      python3 "$DATASETS/scripts/time_py.py" "$p" "$SYNTH" > "$WORK/peer/$p.json"
  fi
  echo "[$(date +%T) load $(load)] engine $m (JMH)"
  echo "$m engine start $(load)" >> "$WORK/load.txt"
  BENCH_DATA=$SYNTH BENCH_PEER=$WORK/peer java -jar "$JAR" "EngineBench\.$m\$" \
    -f "$FORKS" -wi "$WARMUP" -w "$ITER_TIME" -i "$ITERATIONS" -r "$ITER_TIME" \
    -jvmArgsAppend "-Xms$XMX -Xmx$XMX $ENGINE_JVM_ARGS" -prof gc -rf json -rff "$WORK/jmh/$m.json" > "$WORK/logs/jmh-$m.log" 2>&1 \
    || { tail -40 "$WORK/logs/jmh-$m.log" >&2; echo "JMH failed for $m (log: $WORK/logs/jmh-$m.log)" >&2; exit 1; }
  grep -q '"primaryMetric"' "$WORK/jmh/$m.json" \
    || { tail -40 "$WORK/logs/jmh-$m.log" >&2; echo "JMH produced no result for $m (result check failed?)" >&2; exit 1; }
  echo "$m engine end $(load)" >> "$WORK/load.txt"
done

# --- memory: one fresh JVM per method -------------------------------------------------------------------------------
# (a) VmHWM of one run with -Xmx at the goal (2x the data file); (b) the smallest -Xmx that completes (bisection to
# MEM_STEP MiB, default 4).
# A run loads the data (as the benchmarks do: one double[] per column), builds the inputs and runs the method once.
if [ "$MEMORY" = 1 ]; then
  step=${MEM_STEP:-4}
  : > "$WORK/memory.new"
  # -k: a JVM whose pool thread died of an OutOfMemoryError can wait forever and ignore SIGTERM
  one_shot() { # xmx_mb method -> prints the JSON line, fails on OutOfMemoryError
    BENCH_DATA=$SYNTH BENCH_PEER=$WORK/peer timeout -k 10 600 java "-Xmx${1}m" $ENGINE_JVM_ARGS -cp "$JAR" io.counterfact.engine.bench.OneShot "$2" \
      2> "$WORK/logs/oneshot.err" | tail -1 | grep '^{'
  }
  for m in load_obs load_obs_propensity load_iv "${METHODS[@]}"; do
    case "$m" in load_iv|*2sls*) data_bytes=$(stat -c %s "$SYNTH/iv.bin") ;; *) data_bytes=$(stat -c %s "$SYNTH/obs.bin") ;; esac
    echo "[$(date +%T) load $(load)] memory $m"
    # -Xmx is in MiB: the goal is the largest whole MiB below 2x the data's bytes
    goal=$((2 * data_bytes / 1048576)) data_mib=$((data_bytes / 1048576))
    at_goal=$(one_shot "$goal" "$m" || echo '{"failed": true}')
    lo=$((data_mib - step)) hi=$goal
    if [[ "$at_goal" == *failed* ]]; then
      lo=$goal hi=$((2 * goal))
      while ! one_shot "$hi" "$m" > /dev/null; do lo=$hi; hi=$((hi * 2)); [ "$hi" -le 8192 ] || break; done
    fi
    while [ $((hi - lo)) -gt "$step" ]; do
      mid=$(( (lo + hi) / 2 ))
      if one_shot "$mid" "$m" > /dev/null; then hi=$mid; else lo=$mid; fi
    done
    echo "{\"method\": \"$m\", \"data_bytes\": $data_bytes, \"goal_xmx_mib\": $goal, \"min_xmx_mib\": $hi, \"step_mib\": $step, \"at_goal\": $at_goal}" \
      >> "$WORK/memory.new"
  done
  # replace the lines of the methods run now, keep the others of an earlier run
  python3 - "$WORK/memory.jsonl" "$WORK/memory.new" <<'PY'
import json, os, sys
old = [json.loads(l) for l in open(sys.argv[1])] if os.path.exists(sys.argv[1]) else []
new = {r["method"]: r for r in map(json.loads, open(sys.argv[2]))}
merged = [new.pop(r["method"], r) for r in old] + list(new.values())
open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in merged))
PY
  rm "$WORK/memory.new"
fi

# --- table ----------------------------------------------------------------------------------------------------------
python3 - "$WORK" "${METHODS[@]}" <<'EOF' | tee "$WORK/table.md"
import json, os, statistics, sys, time
work, methods = sys.argv[1], sys.argv[2:]
stamp = lambda f: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(f)))
peer_of = lambda m: "logit_plus_aipw" if m == "logit_plus_aipw_kernels" else m.removesuffix("_facade").removesuffix("_lean").removesuffix("_nodiag")
print(f"timings (run of {stamp(f'{work}/load.txt')}):")
print()
print("| method | engine median (ms) | peer median (ms) | ratio peer/engine | goal ≥ 5x | engine CPU/op (ms) "
      "| peer CPU/op (ms) | CPU ratio | engine mean ± 99.9% CI (ms) | engine alloc/op (MB) |")
print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
for m in methods:
    if not os.path.exists(f"{work}/jmh/{m}.json"):
        continue
    j = json.load(open(f"{work}/jmh/{m}.json"))[0]
    pm = j["primaryMetric"]
    raw = [v for fork in pm["rawData"] for v in fork]
    eng = statistics.median(raw)
    sec = j.get("secondaryMetrics", {})
    alloc = (sec.get("gc.alloc.rate.norm") or sec.get("·gc.alloc.rate.norm") or {}).get("score")
    peer = json.loads(open(f"{work}/peer/{peer_of(m)}.json").read().strip().splitlines()[-1])
    pmed = peer["median_s"] * 1e3
    pcpu = statistics.median(peer["cpu_s"]) * 1e3
    ratio = pmed / eng
    name = m + (f" (vs {peer_of(m)})" if m != peer_of(m) else "")
    err = pm.get("scoreError")
    err = "" if err is None or err != err else f" ± {err:.0f}"
    log = open(f"{work}/logs/jmh-{m}.log", errors="replace").read().splitlines()
    cpu = [float(l.split()[-1]) for l in log if "CPU_MS_PER_OP" in l]
    # printed by each trial's setup, which JMH's output may put on the line of the first warmup iteration
    kernels = sorted({l.split("GRAM_KERNEL ", 1)[1].split()[0] for l in log if "GRAM_KERNEL " in l})
    if kernels:
        name += f" [{', '.join(kernels)}]"
    ecpu = statistics.median(cpu) if cpu else float("nan")
    print(f"| {name} | {eng:.0f} | {pmed:.0f} | {ratio:.1f} | {'met' if ratio >= 5 else 'NOT met'} | {ecpu:.0f} | {pcpu:.0f} | "
          f"{pcpu / ecpu:.1f} | {pm['score']:.0f}{err} | {alloc / 1e6 if alloc else float('nan'):.0f} |")
if os.path.exists(f"{work}/memory.jsonl"):
    print()
    print(f"memory (one-shot runs of {stamp(f'{work}/memory.jsonl')}):")
    print()
    print("| one run in a fresh JVM (G1) | data (MB) | smallest -Xmx that completes (MB, bisection step) | / data | goal < 2x | "
          "VmHWM with -Xmx = 2x data (MB) | / data |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for line in open(f"{work}/memory.jsonl"):
        r = json.loads(line)
        g, data = r["at_goal"], r["data_bytes"]
        heap = r["min_xmx_mib"] * 1048576  # within step_mib above the true minimum
        hwm = "OOM" if g.get("failed") else f"{g['vmhwm_bytes'] / 1e6:.0f}"
        hwm_ratio = "" if g.get("failed") else f"{g['vmhwm_bytes'] / data:.2f}"
        print(f"| {r['method']} | {data / 1e6:.0f} | {heap / 1e6:.0f} ({r.get('step_mib', 8)} MiB) | {heap / data:.2f} | "
              f"{'met' if heap / data < 2 and not g.get('failed') else 'NOT met'} | {hwm} | {hwm_ratio} |")
peers = [p for p in dict.fromkeys(peer_of(m) for m in methods) if os.path.exists(f"{work}/peer/{p}.maxrss_kb")]
if peers:
    print()
    print("peer peak RSS (MB, /usr/bin/time): " + ", ".join(
        f"{p} {int(open(f'{work}/peer/{p}.maxrss_kb').read().split()[-1]) / 1e3:.0f}" for p in peers))
print()
print("load average (1/5/15 min) at each step of the timings:")
for line in open(f"{work}/load.txt"):
    print("    " + line.rstrip())
EOF
echo "load average now: $(load); results in $WORK"
