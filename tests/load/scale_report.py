"""The tables bench_scale.py prints, and what one system did in one step (SystemStep).

Every figure is explained in bench_scale.py's docstring; this module only formats them.
"""

import math
import os
import statistics
from dataclasses import dataclass, field

from scale_clients import DIRECTIONS, TO_AGENT, TO_VISITOR

PRODUCT_1, PRODUCT_2, REFERENCE = "product-1", "product-2", "reference"
SYSTEMS = (PRODUCT_1, PRODUCT_2, REFERENCE)
SOCKETS_PER_WORKSPACE = 5  # one workspace (or lobby) socket per this many chats


@dataclass
class SystemStep:
    """What one system did in one step."""

    sockets: int = 0
    open_s: float = 0.0
    errors: dict = field(default_factory=lambda: {"hs": 0, "http": 0, "lost": 0, "dup": 0, "drop": 0, "late": 0})
    examples: list = field(default_factory=list)
    latencies: dict = field(default_factory=lambda: {d: [] for d in DIRECTIONS})
    steady: dict = field(default_factory=dict)  # summed usage over the slices
    rss_mb: float = 0.0
    messages: int = 0
    bytes: int = 0
    flat: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)  # name -> list of measurements
    close_codes: dict = field(default_factory=dict)
    left_memberships: int = 0  # group memberships still in Redis after every socket closed



def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]



def ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:.0f}"



def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None



def generator_cell(used):
    """The generator's CPU seconds, and its busiest process's share of one core."""
    elapsed = used.get("elapsed") or 1e-9
    return f"{used.get('gen_cpu_s', 0):.1f} ({100 * used.get('gen_busiest_s', 0) / elapsed:.0f}%)"



def sockets_per_system(n):
    return 2 * n + math.ceil(n / SOCKETS_PER_WORKSPACE)



def print_setup(bench):
    """What runs where, and the run's settings: enough to compare two runs' tables."""
    first = "the embedded default (SQLite, in-memory layer)" if bench.args.embedded else "helpdesk"
    print(f"systems: {PRODUCT_1} = {first} on 1 Daphne (port {bench.ports(PRODUCT_1)[0]}), "
          f"{PRODUCT_2} = helpdesk on 2 Daphnes (ports {', '.join(map(str, bench.ports(PRODUCT_2)))}), "
          f"{REFERENCE} = Channels tutorial room (port {bench.ports(REFERENCE)[0]}); Daphne logs in {bench.log_dir}")
    print(f"steps {bench.args.steps}; steady {bench.args.duration:.0f} s per system in {bench.args.slices} slices, "
          f"1 msg / ~{bench.args.interval:.0f} s per chat; flat out {bench.args.burst:.0f} s with {bench.args.posters} "
          f"posters; single actions x{bench.args.repeats}; deadline {bench.args.deadline:.0f} s; "
          f"{bench.args.workers} generator processes; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)



def print_step(n, results, seconds):
    """Every table of one step."""
    print(f"\n-- N = {n} chats ({sockets_per_system(n)} sockets per system), step took {seconds:.0f} s --")
    print_latency(results)
    print_steady_usage(results)
    print_flat_out(results)
    print_actions(results)


def print_latency(results):
    ref_p99 = {d: percentile(sorted(results[REFERENCE].latencies[d]), 0.99) for d in DIRECTIONS}
    print("live latency, post -> text on the receiving socket (steady)")
    print(f"{'system':<10} {'sockets':>7} {'msgs':>5}  {'visitor->agent p50/p95/p99 ms':>29}  "
          f"{'agent->visitor p50/p95/p99 ms':>29}  {'p99 x ref v>a/a>v':>17}  errors hs/http/lost/dup/drop late")
    for system in SYSTEMS:
        result = results[system]
        cells, ratios = [], []
        for direction in (TO_AGENT, TO_VISITOR):
            values = sorted(result.latencies[direction])
            cells.append("/".join(ms(percentile(values, q)) for q in (0.5, 0.95, 0.99)) + f" (n={len(values)})")
            p99 = percentile(values, 0.99)
            ratios.append("-" if system == REFERENCE or not p99 or not ref_p99[direction]
                          else f"{p99 / ref_p99[direction]:.1f}")
        e = result.errors
        print(f"{system:<10} {result.sockets:>7} {result.messages:>5}  {cells[0]:>29}  {cells[1]:>29}  "
              f"{'/'.join(ratios):>17}  {e['hs']}/{e['http']}/{e['lost']}/{e['dup']}/{e['drop']} {e['late']}"
              + (f"  close codes {result.close_codes}" if result.close_codes else "")
              + (f"  {result.left_memberships} group memberships left in Redis after closing"
                 if result.left_memberships else "")
              + (f"  e.g. {'; '.join(result.examples[:3])}" if result.examples else ""))


def print_steady_usage(results):
    print("CPU and memory over the steady phase (PG CPU and redis: whole servers; PG active/conns: this database)")
    print(f"{'system':<10} {'daphne CPU s':>15} {'RSS MB':>7} {'PG CPU s':>8} {'PG active s':>11} {'PG conns':>8} "
          f"{'redis s':>7} {'gen CPU s (busiest)':>19} {'KB/msg':>7}")
    for system in SYSTEMS:
        result, used = results[system], results[system].steady
        elapsed = used.get("elapsed") or 1e-9
        print(f"{system:<10} {used.get('daphne_s', 0):>7.1f} ({100 * used.get('daphne_s', 0) / elapsed:>3.0f}%) "
              f"{result.rss_mb:>7.0f} {used.get('pg_cpu_s', 0):>8.1f} {used.get('pg_active_s', 0):>11.1f} "
              f"{used.get('pg_sessions', 0):>8.0f} {used.get('redis_cpu_s', 0):>7.1f} {generator_cell(used):>19} "
              f"{result.bytes / 1024 / max(1, result.messages):>7.1f}")


def print_flat_out(results):
    ref_rate = results[REFERENCE].flat.get("per_s")
    print("flat out (closed-loop posters, each waits for its message to arrive)")
    print(f"{'system':<10} {'msg/s':>7} {'x ref':>6} {'p50 ms':>7} {'p99 ms':>7} {'daphne ms/msg':>13} "
          f"{'PG ms/msg':>9} {'PG active ms/msg':>16} {'gen CPU s (busiest)':>19} lost/http")
    for system in SYSTEMS:
        flat = results[system].flat
        if not flat:
            continue
        used, delivered = flat["used"], max(1, flat["delivered"])
        ratio = "-" if system == REFERENCE or not ref_rate else f"{flat['per_s'] / ref_rate:.2f}"
        print(f"{system:<10} {flat['per_s']:>7.1f} {ratio:>6} {ms(percentile(flat['latencies'], 0.5)):>7} "
              f"{ms(percentile(flat['latencies'], 0.99)):>7} {1000 * used['daphne_s'] / delivered:>13.1f} "
              f"{1000 * (used['pg_cpu_s'] or 0) / delivered:>9.1f} {1000 * used['pg_active_s'] / delivered:>16.1f} "
              f"{generator_cell(used):>19} "
              f"{flat['lost']}/{flat['http']}")


def print_actions(results):
    print("one action with the N chats open (median of n; CPU beyond the idle rate; reference: one broadcast "
          "to all; settle >: capped, CPU cut short)")
    print(f"{'system':<10} {'action':<9} {'n':>2} {'daphne ms':>9} {'PG ms':>7} {'PG active ms':>12} {'PG conns':>8} "
          f"{'frames':>7} {'response ms':>11} {'settle s':>8}")
    for system in SYSTEMS:
        for name, runs in results[system].actions.items():
            def med(key, runs=runs):
                return median_or_none([run[key] for run in runs])

            settle = ("> " if any(run["capped"] for run in runs) else "") + f"{med('settle_s'):.1f}"
            print(f"{system:<10} {name:<9} {len(runs):>2} {ms(med('daphne_s')):>9} {ms(med('pg_cpu_s')):>7} "
                  f"{ms(med('pg_active_s')):>12} {med('pg_sessions') or 0:>8.0f} {med('frames') or 0:>7.0f} "
                  f"{ms(med('response_s')):>11} {settle:>8}"
                  + "".join(f"  ({run['problem']})" for run in runs if not run["ok"]))


def print_summary(results_by_n):
    print("\n== summary: p99 post -> screen (ms) and its ratio to the reference, flat-out msg/s, "
          "Daphne CPU ms of one new chat ==")
    print(f"{'N':>5} {'system':<10} {'v->a p99':>9} {'x ref':>6} {'a->v p99':>9} {'x ref':>6} {'errors':>6} "
          f"{'msg/s':>7} {'new chat ms':>11}")
    for n, results in results_by_n.items():
        ref = results[REFERENCE]
        for system in SYSTEMS:
            result = results[system]
            cells = []
            for direction in (TO_AGENT, TO_VISITOR):
                p99 = percentile(sorted(result.latencies[direction]), 0.99)
                ref_p99 = percentile(sorted(ref.latencies[direction]), 0.99)
                ratio = "-" if system == REFERENCE or not p99 or not ref_p99 else f"{p99 / ref_p99:.1f}"
                cells += [ms(p99), ratio]
            errors = sum(v for k, v in result.errors.items() if k != "late")
            first_action = next(iter(result.actions.values()), [])
            new_chat = median_or_none([run["daphne_s"] for run in first_action])
            print(f"{n:>5} {system:<10} {cells[0]:>9} {cells[1]:>6} {cells[2]:>9} {cells[3]:>6} {errors:>6} "
                  f"{result.flat.get('per_s', 0):>7.1f} {ms(new_chat):>11}")
