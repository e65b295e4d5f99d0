#!/usr/bin/env python3
"""The exporter configuration the throughput benches serve: SERIES synthetic
data series as static quotas. Each quota with a limit and a usage gives 4
data series (limit, usage, remaining, exhausted); 100 quotas per account.
Usage: scripts/bench_config.py SERIES > config.json"""
import json
import sys

n = int(sys.argv[1])
quotas = max(1, n // 4)
accounts = []
for a in range(0, quotas, 100):
    accounts.append({"account": f"bench-{a // 100:04d}", "labels": {"team": "bench"},
                     "quotas": [{"quota": f"q{i:05d}", "unit": "requests", "limit": 1000 + i, "usage": i}
                                for i in range(a, min(quotas, a + 100))]})
print(json.dumps({"global": {"min_interval": "1h", "max_staleness": "2h"}, "static": accounts}))
