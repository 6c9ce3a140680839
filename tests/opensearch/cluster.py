"""Start and stop a local OpenSearch 2.19.6 cluster of test nodes (tests only, not for production).

The jars come from Maven Central through `mvn dependency:copy-dependencies` into a cache outside
the work tree (~/.cache/chaja-opensearch, or $CHAJA_OPENSEARCH_CACHE); Launcher.java is compiled
there too. Each node is a JVM of its own with a small heap, so a test can kill -9 one of them.

    python tests/opensearch/cluster.py start DIR [--nodes 3]   # prints the nodes' http addresses
    python tests/opensearch/cluster.py stop DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = "2.19.6"
HEAP = "-Xmx384m"
# The client compiler alone starts a node seconds sooner, which is what a test session needs; a
# benchmark that times queries clears it for the JVM's full optimising compiler.
JIT = ["-XX:TieredStopAtLevel=1"]
STATE = "cluster.json"


@dataclass
class Node:
    name: str
    pid: int
    http: int
    transport: int
    command: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"


@dataclass
class Cluster:
    home: Path
    nodes: list[Node]

    @property
    def hosts(self) -> list[str]:
        return [f"127.0.0.1:{n.http}" for n in self.nodes]


def cache_dir() -> Path:
    return Path(os.environ.get("CHAJA_OPENSEARCH_CACHE") or Path.home() / ".cache" / "chaja-opensearch") / VERSION


def prepare() -> str:
    """Fetch the jars (once) and compile the launcher (when it changed); return the Java class path."""
    cache = cache_dir()
    lib = cache / "lib"
    sources = [HERE / "pom.xml", HERE / "Launcher.java"]
    stamp = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    classes = cache / "classes"
    if (cache / "stamp").exists() and (cache / "stamp").read_text() == stamp:
        return _classpath(classes, lib)
    for tool in ("mvn", "javac"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed; install Debian's maven and openjdk-17-jdk-headless")
    shutil.rmtree(lib, ignore_errors=True)
    subprocess.run(["mvn", "-q", "-B", "-f", str(HERE / "pom.xml"), "dependency:copy-dependencies",
                    f"-DoutputDirectory={lib}"], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(classes, ignore_errors=True)
    classes.mkdir(parents=True)
    subprocess.run(["javac", "-d", str(classes), "-cp", f"{lib}/*", str(HERE / "Launcher.java")], check=True)
    (cache / "stamp").write_text(stamp)
    return _classpath(classes, lib)


def _classpath(classes: Path, lib: Path) -> str:
    return os.pathsep.join([str(classes), f"{lib}/*"])


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def start(home: Path, nodes: int = 3, timeout: float = 240) -> Cluster:
    """Start nodes in home (wiped first) and wait until the cluster is green; stop them all if it never is."""
    classpath = prepare()
    home = Path(home).resolve()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    ports = _free_ports(2 * nodes)
    names = [f"node-{i}" for i in range(nodes)]
    transports = ports[nodes:]
    cluster = Cluster(home, [])
    try:
        for i, name in enumerate(names):
            node_home = home / name
            node_home.mkdir()
            command = ["java", "-Xms128m", HEAP, "-XX:+UseSerialGC", *JIT,
                       f"-Dlog4j.configurationFile={HERE / 'log4j2.properties'}", "-cp", classpath, "Launcher",
                       name, str(ports[i]), str(transports[i]), str(node_home), ",".join(map(str, transports)),
                       ",".join(names)]
            cluster.nodes.append(Node(name, _spawn(command, node_home), ports[i], transports[i], command))
        save(cluster)
        wait_health(cluster, nodes, timeout)
        return cluster
    except BaseException:
        stop(cluster)
        raise


def _spawn(command: list[str], node_home: Path) -> int:
    with open(node_home / "node.log", "ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True).pid


def restart(cluster: Cluster, node: Node, timeout: float = 180) -> None:
    """Start a node that was stopped or killed again, with its data, and wait until the cluster is green."""
    _reap(node.pid)
    node.pid = _spawn(node.command, cluster.home / node.name)
    save(cluster)
    wait_health(cluster, len(cluster.nodes), timeout)


def health(url: str) -> dict | None:
    """Return the cluster health as a node answers it, or None if it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=5) as r:
            return json.load(r)
    except OSError:
        return None


def wait_health(cluster: Cluster, nodes: int, timeout: float, statuses=("green",)) -> dict:
    """Wait until a node reports `nodes` nodes in one of statuses; raise with the logs' last lines if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in cluster.nodes:
            h = health(node.url)
            if h and h["number_of_nodes"] >= nodes and h["status"] in statuses:
                return h
            if not _alive(node.pid):
                break
        time.sleep(1)
    tails = "\n".join(f"{n.name}: {_tail(cluster.home / n.name / 'node.log')}" for n in cluster.nodes)
    raise RuntimeError(f"the OpenSearch test cluster in {cluster.home} did not become {'/'.join(statuses)} "
                       f"with {nodes} nodes in {timeout:.0f} s; last log lines:\n{tails}")


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return "\n  ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as e:
        return str(e)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a child that exited but was not reaped yet is a zombie: dead for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def kill(node: Node, sig: int = signal.SIGKILL) -> None:
    """Send a signal to one node's JVM (by its pid)."""
    try:
        os.kill(node.pid, sig)
    except ProcessLookupError:
        pass


def stop(cluster: Cluster, grace: float = 20) -> None:
    """Stop every node by its pid: SIGTERM, then SIGKILL for any still running after grace seconds."""
    for node in cluster.nodes:
        kill(node, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for node in cluster.nodes:
        while _alive(node.pid) and time.monotonic() < deadline:
            _reap(node.pid)
            time.sleep(0.2)
        if _alive(node.pid):
            kill(node, signal.SIGKILL)
        _reap(node.pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def save(cluster: Cluster) -> None:
    data = {"home": str(cluster.home), "nodes": [asdict(n) for n in cluster.nodes]}
    (cluster.home / STATE).write_text(json.dumps(data, indent=2))


def load(home: Path) -> Cluster:
    data = json.loads((Path(home) / STATE).read_text())
    return Cluster(Path(data["home"]), [Node(**n) for n in data["nodes"]])


def main() -> None:
    global HEAP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("home", type=Path, help="folder for the nodes' data, logs and pids")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--heap", default=HEAP.removeprefix("-Xmx"), help="each node's Java heap")
    parser.add_argument("--full-jit", action="store_true", help="the JVM's optimising compiler too (for timing)")
    args = parser.parse_args()
    HEAP = f"-Xmx{args.heap}"
    if args.full_jit:
        JIT.clear()
    if args.command == "start":
        cluster = start(args.home, args.nodes)
        print(",".join(cluster.hosts))
    else:
        stop(load(args.home))


if __name__ == "__main__":
    sys.exit(main())
