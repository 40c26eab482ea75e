"""Benchmark: what one group push costs the receiving process, channels-redis core layer vs pub/sub layer.

    .venv/bin/python tests/load/bench_layers.py [--members 200,1000] [--sends 20] [--rounds 3]

Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/0); uses its own key prefix and cleans up. For
each group size, one process subscribes that many channels to a group, sends --sends pushes to it, and
reads every copy; the two layers alternate A B A B for --rounds rounds, since this machine is shared and
noisy. Prints wall time and this process's CPU per push per member, and the ratio core / pub/sub.
Prints figures, asserts nothing.
"""

import argparse
import asyncio
import os
import statistics
import time

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

PREFIX = "bench-layers"


async def one_round(layer, members, sends):
    """CPU seconds and wall seconds for `sends` pushes to a group of `members` channels, all read."""
    channels = [await layer.new_channel() for _ in range(members)]
    for channel in channels:
        await layer.group_add("team", channel)

    async def read_all(channel):
        for _ in range(sends):
            await layer.receive(channel)

    started_wall, started_cpu = time.perf_counter(), time.process_time()
    readers = [asyncio.ensure_future(read_all(channel)) for channel in channels]
    for _ in range(sends):
        await layer.group_send("team", {"type": "team.changed", "parts": ["queue"], "event_id": "0" * 32})
    await asyncio.wait_for(asyncio.gather(*readers), timeout=120)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    for channel in channels:
        await layer.group_discard("team", channel)
    await layer.flush()
    return cpu, wall


async def main(members_steps, sends, rounds, url):
    layers = {
        "core": lambda: RedisChannelLayer(hosts=[url], prefix=PREFIX),
        "pubsub": lambda: RedisPubSubChannelLayer(hosts=[url], prefix=PREFIX),
    }
    print(f"redis={url} sends={sends} rounds={rounds} (interleaved)")
    for members in members_steps:
        per_member_us = {name: [] for name in layers}
        walls = {name: [] for name in layers}
        for _ in range(rounds):
            for name, make in layers.items():
                cpu, wall = await one_round(make(), members, sends)
                per_member_us[name].append(cpu / sends / members * 1e6)
                walls[name].append(wall * 1000 / sends)
        medians = {name: statistics.median(values) for name, values in per_member_us.items()}
        for name in layers:
            print(f"members={members:<5} {name:<7} CPU per push per member {medians[name]:6.1f} us   "
                  f"wall per push {statistics.median(walls[name]):7.1f} ms")
        print(f"members={members:<5} ratio core / pub/sub: {medians['core'] / medians['pubsub']:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="200,1000")
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main([int(m) for m in args.members.split(",")], args.sends, args.rounds,
                     os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")))
