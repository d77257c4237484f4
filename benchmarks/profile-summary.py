"""Summarises JFR execution samples (`jfr print --json --events jdk.ExecutionSample`) of a
sidecar under load: per thread group, its share of the samples, the parts of a call they fall in
(the first rule in PARTS that a frame of the stack matches, searched from the leaf), and the
hottest methods by self samples. Usage: python3 profile-summary.py RECORDING.json [TOP]"""

import collections
import json
import sys

# (part, substrings of "class.method"), tried from the leaf frame down: the deepest match wins.
PARTS = [
    ("micrometer", ["io.micrometer."]),
    ("logging", ["org.slf4j.", "ch.qos.logback."]),
    ("chicory import matching", ["Instance$Builder.mapHostImports", "ImportValues"]),
    ("chicory memory init/zero", ["ByteArrayMemory.zero", "ByteArrayMemory.initialize",
                                  "ByteArrayMemory.<init>", "Memory.initialize"]),
    ("guest code (compiled)", ["com.dylibso.chicory.$gen", "CompiledMachine", "$gen."]),
    ("chicory WASI", ["com.dylibso.chicory.wasi."]),
    ("chicory instance build", ["Instance$Builder.build", "Instance.<init>", "Instance.initialize"]),
    ("chicory run (other)", ["com.dylibso.chicory."]),
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
    for name in names:
        for part, needles in PARTS:
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
