"""Summarises JFR execution samples (`jfr print --json --events jdk.ExecutionSample`) of a
sidecar under load: per thread group, its share of the samples, the parts of a call they fall in
(SPECIFIC parts anywhere in the stack first, then the GENERAL rule of the deepest matching
frame), and the
hottest methods by self samples. Usage: python3 profile-summary.py RECORDING.json [TOP]"""

import collections
import json
import sys

# Parts found anywhere in the stack, tried in this order (a sample under Chicory's memory zeroing
# inside an instance build is zeroing; a WASI function called by the guest is WASI).
SPECIFIC = [
    ("micrometer", ["io.micrometer."]),
    ("logging", ["org.slf4j.", "ch.qos.logback."]),
    ("chicory memory zero/data segments", ["ByteArrayMemory.zero", "ByteArrayMemory.fill",
                                           "ByteArrayMemory.initialize"]),
    ("chicory import matching", ["Instance$Builder.mapHostImports"]),
    ("chicory WASI", ["com.dylibso.chicory.wasi."]),
    ("guest code (compiled)", ["com.dylibso.chicory.$gen."]),
    ("chicory reset (Instance.initialize)", ["Instance.initialize"]),
    ("chicory instance build", ["Instance$Builder.build"]),
]
# The others: the first rule that the deepest matching frame (from the leaf) matches.
GENERAL = [
    ("chicory (other)", ["com.dylibso.chicory."]),
    ("envelope decode / Go JSON", ["dev.wasmbind.sidecar.http.BindingRequest",
                                   "dev.wasmbind.sidecar.http.GoJson"]),
    ("wasmbind runtime", ["dev.wasmbind.sidecar.runtime."]),
    ("wasmbind binding", ["dev.wasmbind.sidecar.binding."]),
    ("wasmbind http", ["dev.wasmbind.sidecar.http."]),
    ("futures / executor hand-off", ["java.util.concurrent."]),
    ("vert.x web router", ["io.vertx.ext.web."]),
    ("vert.x http", ["io.vertx.core.http."]),
    ("vert.x core", ["io.vertx."]),
    ("netty http codec", ["io.netty.handler.codec."]),
    ("netty channel/epoll", ["io.netty.channel."]),
    ("netty other", ["io.netty."]),
]


def group_of(thread):
    if thread.startswith("vert.x-eventloop"):
        return "event-loop"
    if thread.startswith("wasm-worker"):
        return "worker"
    return "other:" + thread


def frame_name(frame):
    method = frame["method"]
    return method["type"]["name"].replace("/", ".") + "." + method["name"]


def part_of(names):
    for part, needles in SPECIFIC:
        if any(n in name for name in names for n in needles):
            return part
    for name in names:
        if "$$Lambda" in name:
            continue  # a lambda belongs to the method that made it, further down
        for part, needles in GENERAL:
            if any(n in name for n in needles):
                return part
    return "jdk / other"


def main():
    data = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    events = data["recording"]["events"]
    groups = collections.Counter()
    parts = collections.defaultdict(collections.Counter)
    selfs = collections.defaultdict(collections.Counter)
    for event in events:
        values = event["values"]
        thread = values["sampledThread"]
        name = (thread.get("javaName") or thread.get("osName") or "?") if thread else "?"
        group = group_of(name)
        frames = values["stackTrace"]["frames"] if values.get("stackTrace") else []
        names = [frame_name(f) for f in frames]
        groups[group] += 1
        parts[group][part_of(names)] += 1
        if names:
            selfs[group][names[0]] += 1
    total = sum(groups.values())
    print(f"{total} samples\n")
    print("| thread group | samples | share |")
    print("|---|---|---|")
    for group, count in groups.most_common():
        print(f"| {group} | {count} | {100 * count / total:.1f}% |")
    for group, count in groups.most_common(3):
        print(f"\n#### {group}: parts (deepest matching frame)\n")
        print("| part | samples | share of group |")
        print("|---|---|---|")
        for part, n in parts[group].most_common():
            print(f"| {part} | {n} | {100 * n / count:.1f}% |")
        print(f"\n{group}: hottest methods (self)\n")
        for method, n in selfs[group].most_common(top):
            print(f"- {100 * n / count:.1f}% {method}")


main()
