#!/usr/bin/env python3
"""Top frames of a speedscope file from dotnet-trace (sampled thread time): only samples whose stack passes
through request handling (Kestrel's ProcessRequests), waits excluded, so the shares are of busy request time."""
import json, sys, collections
d = json.load(open(sys.argv[1]))
frames = [f["name"] for f in d["shared"]["frames"]]
incl, excl, total = collections.Counter(), collections.Counter(), 0
WAIT = ("Wait", "Sleep", "epoll", "SpinWait", "Monitor.Enter", "LowLevelLifoSemaphore", "WaitHandle")
PSEUDO = ("CPU_TIME", "UNMANAGED_CODE_TIME")
def samples(p):
    if p["type"] != "evented":
        yield from zip(p["samples"], p["weights"])
        return
    stack, last = [], None
    for e in p["events"]:
        if last is not None and stack and e["at"] > last:
            yield list(stack), e["at"] - last
        last = e["at"]
        if e["type"] == "O":
            stack.append(e["frame"])
        elif stack:
            stack.pop()

for p in d["profiles"]:
    for stack, w in samples(p):
        names = [frames[i] for i in stack]
        if not names or not any("ProcessRequests" in n or "ThreadPoolWorkQueue.Dispatch" in n for n in names):
            continue
        # Newer dotnet-trace ends every stack in a pseudo-frame (CPU_TIME, or UNMANAGED_CODE_TIME over unresolved
        # native frames "?!?"): the frame that says whether the thread was waiting is the first real one above it.
        real = [n for n in names if n not in PSEUDO and n != "?!?" and not n.startswith(("Process64", "Thread (", "Threads"))]
        if not real or any(t in real[-1] for t in WAIT):
            continue
        names = real
        total += w
        excl[names[-1]] += w
        for n in set(names):
            incl[n] += w
keys = sys.argv[2:] or ["NeighbourHub", "EntityFrameworkCore", "MySqlConnector", "Authentication", "JsonWebToken", "Logging", "StackExchange.Redis", "HealthChecks", "System.Text.Json", "RateLimit", "Routing", "GC", "JIT"]
print("busy samples", total)
for k in keys:
    matches = [(n, c) for n, c in incl.items() if k in n]
    best = max(matches, key=lambda x: x[1]) if matches else ("-", 0)
    print(f"{k:28s} widest frame {100*best[1]/max(total,1):5.1f}%  {best[0][:110]}")
print("-- top inclusive (app/EF/connector)")
for n, c in incl.most_common(400):
    if any(s in n for s in ("NeighbourHub", "EntityFrameworkCore", "MySqlConnector", "IdentityModel", "Logging", "Redis")):
        print(f"{100*c/total:5.1f}% {n[:140]}")
print("-- top exclusive")
for n, c in excl.most_common(25):
    print(f"{100*c/total:5.1f}% {n[:140]}")
