#!/usr/bin/env python3
"""The four-server comparison table (issues 7 and 10) from the JSON that bench/compare-servers.sh keeps.

    bench/compare_table.py build/compare [--markdown build/compare/table.md]

Reads DIR/runs/*.json (one per load-generator run, named <scenario>.r<round>.<server>.json; a run that failed holds
{"failed": true, "errors": [...]}) and DIR/meta.json (machine, versions, settings), prints one plain-text table (per
scenario: one row per metric, one column per server with the median over rounds, and a last column with the ratio
medley / best other server), then the notes; writes the same as markdown with --markdown. Standard library only.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

SERVERS = ["medley", "janus", "mediasoup", "pion"]
SCENARIO_ORDER = ["fanout", "fanout-gcm", "fanout-heavy", "echo"]
SRTP_NAMES = {"aes-cm": "SRTP_AES128_CM_SHA1_80", "gcm": "AEAD_AES_128_GCM"}


def _get(path):
    def get(run):
        v = run
        for k in path:
            if not isinstance(v, dict) or k not in v:
                return None
            v = v[k]
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    return get


def _kib(run):
    v = _get(["rss_per_session_bytes"])(run)
    return None if v is None else v / 1024.0


# (label, value of one run, True when higher is better, format)
METRICS = [
    ("forwarded packets / server CPU-s", _get(["forwarded_per_cpu_s"]), True, "{:,.0f}"),
    ("forwarded Mbit / server CPU-s", _get(["mbit_per_cpu_s"]), True, "{:,.1f}"),
    ("added latency p50 (µs)", _get(["latency_us", "p50"]), False, "{:,.0f}"),
    ("added latency p99 (µs)", _get(["latency_us", "p99"]), False, "{:,.0f}"),
    ("loss %", _get(["loss_pct"]), False, "{:.2f}"),
    ("RSS per session (KiB)", _kib, False, "{:,.0f}"),
    ("set-ups per second", _get(["setup", "per_s"]), True, "{:,.1f}"),
    ("server CPU ms per set-up", _get(["setup", "server_cpu_ms_per_setup"]), False, "{:,.2f}"),
]

NAME_RE = re.compile(r"^(?P<scenario>[a-z0-9-]+)\.r(?P<round>\d+)\.(?P<server>[a-z0-9]+)\.json$")


def load_runs(directory):
    """{(scenario label, server): [run, ...]} in round order, failed runs included."""
    runs = {}
    folder = os.path.join(directory, "runs")
    if not os.path.isdir(folder):
        folder = directory
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json") or name == "meta.json":
            continue
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8") as f:
                run = json.load(f)
        except (OSError, ValueError) as e:
            print(f"compare_table: skipping {path}: {e}", file=sys.stderr)
            continue
        if not isinstance(run, dict):
            continue
        m = NAME_RE.match(name)
        if m:
            label, rnd, server = m["scenario"], int(m["round"]), m["server"]
        else:  # a file renamed by hand: the label comes from its content
            server = str(run.get("server", "?"))
            label = str(run.get("scenario", "?")) + ("-gcm" if run.get("srtp") == "gcm" else "")
            rnd = 0
        run["_round"] = rnd
        run["_file"] = name
        runs.setdefault((label, server), []).append(run)
    for v in runs.values():
        v.sort(key=lambda r: r["_round"])
    return runs


def ok(run):
    """A run that counts: it finished and every session it asked for was set up (a partial one ran a lighter load,
    so its figures would not compare)."""
    if run.get("failed") or run.get("packets_forwarded") is None:
        return False
    return (run.get("setup") or {}).get("failed", 0) == 0


def doubts(run):
    """Why a run that counts may still be the load generator's limit rather than the server's."""
    out = []
    if (run.get("loadgen_cpu_pct") or 0) > 80:
        out.append(f"load generator at {run['loadgen_cpu_pct']:.0f} % CPU")
    if run.get("loadgen_socket_drops"):
        out.append(f"{run['loadgen_socket_drops']} datagrams dropped at the load generator's sockets")
    if run.get("send_failures"):
        out.append(f"{run['send_failures']} packets the load generator could not send")
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio_cell(medley, others, higher):
    """medley / the best other server (best = highest or lowest as the metric wants)."""
    others = {s: v for s, v in others.items() if v is not None}
    if medley is None or not others:
        return "–"
    best_server = (max if higher else min)(others, key=lambda s: others[s])
    best = others[best_server]
    if best == 0:
        return f"= {best_server}" if medley == 0 else f"∞ vs {best_server}"
    return f"{medley / best:.2f} vs {best_server}"


def scenario_sort_key(label):
    return (SCENARIO_ORDER.index(label) if label in SCENARIO_ORDER else len(SCENARIO_ORDER), label)


def describe(label, runs):
    good = [r for r in runs if ok(r)]
    if not good:
        return label
    r = good[0]
    srtp = SRTP_NAMES.get(r.get("srtp", ""), r.get("srtp", "?"))
    kbps = r.get("publisher_kbps")
    rate = f", {kbps:,.0f} kbit/s per publisher" if isinstance(kbps, (int, float)) else ""
    if r.get("scenario") == "echo":
        what = f"{r.get('sessions', '?')} sessions, each looping its own media back"
    else:
        what = f"{r.get('publishers', 1)} publisher → {r.get('subscribers', '?')} subscribers"
    return f"{label}: {what}{rate}, {srtp}"


def build_rows(runs, rounds_wanted):
    """[(scenario label, description, [(metric label, {server: text}, ratio text)])], servers, failures."""
    servers = [s for s in SERVERS if any(k[1] == s for k in runs)]
    servers += sorted({k[1] for k in runs} - set(servers))
    labels = sorted({k[0] for k in runs}, key=scenario_sort_key)
    blocks, failures = [], []
    for label in labels:
        present = [s for s in servers if (label, s) in runs]
        all_runs = [r for s in present for r in runs[(label, s)]]
        rows = []
        for mlabel, get, higher, fmt in METRICS:
            values = {}
            for s in present:
                values[s] = median(get(r) for r in runs[(label, s)] if ok(r))
            cells = {}
            for s in servers:
                if s not in present:
                    cells[s] = ""
                elif not any(ok(r) for r in runs[(label, s)]):
                    cells[s] = "failed"
                else:
                    cells[s] = "–" if values[s] is None else fmt.format(values[s])
            ratio = ratio_cell(values.get("medley"), {s: v for s, v in values.items() if s != "medley"}, higher)
            rows.append((mlabel + (" ↑" if higher else " ↓"), cells, ratio))
        cells = {}
        for s in servers:
            if s in present:
                n_ok = sum(1 for r in runs[(label, s)] if ok(r))
                cells[s] = f"{n_ok}/{max(rounds_wanted, len(runs[(label, s)]))}"
            else:
                cells[s] = ""
        rows.append(("rounds that ran", cells, ""))
        blocks.append((label, describe(label, all_runs), rows))
        for s in present:
            for r in runs[(label, s)]:
                if not ok(r):
                    errs = r.get("errors") or ["no result"]
                    if not r.get("failed") and (r.get("setup") or {}).get("failed"):
                        errs = [f"{r['setup']['failed']} set-ups failed (left out of the medians): {errs[0]}"]
                    failures.append(f"{label} round {r['_round']} {s}: {errs[0]}")
                elif doubts(r):
                    failures.append(f"{label} round {r['_round']} {s} (counted, but): {'; '.join(doubts(r))}")
                elif r.get("errors"):
                    failures.append(f"{label} round {r['_round']} {s} (ran, reported): {'; '.join(map(str, r['errors'][:3]))}")
    return blocks, servers, failures


def machine(meta):
    model = meta.get("cpu_model")
    if not model:
        try:
            out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
            model = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name:")), "?")
        except OSError:
            model = "?"
    cpus = meta.get("cpus") or os.cpu_count()
    kernel = meta.get("kernel") or platform.release()
    date = meta.get("date") or time.strftime("%Y-%m-%d %H:%M %Z")
    return model, cpus, kernel, date


def notes(meta, rounds, failures):
    model, cpus, kernel, date = machine(meta)
    st = meta.get("settings", {})
    versions = []
    if meta.get("medley_rev"):
        versions.append(f"Medley {meta['medley_rev']}")
    if meta.get("janus_version"):
        versions.append(f"Janus {meta['janus_version']} (Debian)")
    if meta.get("mediasoup_version"):
        versions.append(f"mediasoup {meta['mediasoup_version']}")
    if meta.get("pion_version"):
        versions.append(f"Pion WebRTC {meta['pion_version']} (Debian)")
    out = [
        f"Medians over {rounds} rounds; each round runs the servers one after another in a rotated order. Each server "
        "is pinned to core 0 (taskset -c 0, all its processes and threads; Medley with -t 1), the load generator "
        "(medley_loadgen, our own rtp/ and ice/ stacks) to core 1, all inside a private network namespace "
        "(veth 10.77.0.1). Server CPU and RSS come from /proc (the server process and all its descendants).",
        "↑ higher is better, ↓ lower is better. Last column: Medley's median divided by the best other server's "
        "(the highest for ↑, the lowest for ↓), so Medley is ahead when it is above 1 on ↑ rows and below 1 on ↓ rows.",
        "Handicaps: this mediasoup and Debian's Janus both use Debian's NSS-backed libsrtp2, about 5x the crypto "
        "cost of raw OpenSSL per AES-CM packet (the fanout-gcm rows force AEAD_AES_128_GCM on every server to show "
        "the servers rather than their SRTP library); this mediasoup uses std::unordered_map where upstream uses "
        "unordered_dense, and older libuv/abseil/flatbuffers than upstream pins; Pion has its own Go SRTP, and this "
        "Pion SFU is a minimal forwarder without a downstream bandwidth estimate; Janus runs its videoroom plugin "
        "(fanout) and its echotest plugin (echo); mediasoup's figures include its Node process and its worker.",
        f"Machine: {model}, {cpus} CPUs, Linux {kernel}. Date: {date}.",
    ]
    if versions:
        out.append("Versions: " + ", ".join(versions) + ".")
    if st:
        out.append("Settings: " + ", ".join(f"{k}={v}" for k, v in st.items()) + ".")
    if failures:
        out.append("Failed or degraded runs: " + " | ".join(failures))
    return out


def text_table(blocks, servers):
    head = ["metric"] + servers + ["medley / best other"]
    lines = []
    body = [["  " + m] + [cells[s] for s in servers] + [ratio] for _, _, rows in blocks for m, cells, ratio in rows]
    widths = [max(len(r[i]) for r in body + [head]) for i in range(len(head))]

    def fmt(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    lines.append(fmt(head))
    lines.append("  ".join("-" * w for w in widths))
    for _, desc, rows in blocks:
        lines.append(desc)
        lines += [fmt(row) for row in body[:len(rows)]]
        body = body[len(rows):]
    return lines


def markdown_table(blocks, servers):
    head = ["scenario", "metric"] + servers + ["medley / best other"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---", "---"] + ["---:"] * (len(servers) + 1)) + "|"]
    for label, _, rows in blocks:
        for i, (m, cells, ratio) in enumerate(rows):
            lines.append("| " + " | ".join([f"**{label}**" if i == 0 else "", m] + [cells[s] for s in servers] +
                                           [ratio]) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", help="the comparison's output folder (build/compare)")
    ap.add_argument("--markdown", help="also write the table and notes as markdown to this file")
    a = ap.parse_args()
    meta = {}
    try:
        with open(os.path.join(a.dir, "meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        pass
    runs = load_runs(a.dir)
    if not runs:
        print(f"compare_table: no run JSON under {a.dir}", file=sys.stderr)
        return 1
    try:
        rounds = int(meta.get("settings", {}).get("rounds", 0))
    except ValueError:
        rounds = 0
    rounds = rounds or max(len(v) for v in runs.values())
    blocks, servers, failures = build_rows(runs, rounds)
    note_lines = notes(meta, rounds, failures)

    print("\n".join(text_table(blocks, servers)))
    print()
    for n in note_lines:
        print("- " + n)
    if a.markdown:
        md = ["# Four-server comparison", ""]
        md += [f"- {desc}" for _, desc, _ in blocks] + [""]
        md += markdown_table(blocks, servers) + [""]
        md += ["- " + n for n in note_lines]
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
