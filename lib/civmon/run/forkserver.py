"""A kernel launcher that pays the heavy imports once: a server imports the stack, then forks one fresh kernel per report.

jupyter_client starts the kernelspec's argv (`python -m civmon.run.forkserver launch -f {connection_file}`), a
tiny shim that asks the server to fork a kernel for that connection file and then lives exactly as long as
the kernel does (it forwards signals; the kernel exits when its shim disappears). Each report still gets
its own process; forked children re-seed random state, close the server's socket, and point stdio at
/dev/null. Where fork is unavailable the runner uses the plain ipykernel launcher instead.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import threading
from pathlib import Path

ENV_SOCKET = "CIVMON_FORK_SERVER"
ENV_PRELOAD = "CIVMON_FORK_PRELOAD"  # params `data` value whose frames the server loads before forking
PRELOAD = ("numpy", "pandas", "scipy.stats", "statsmodels.api", "matplotlib", "matplotlib.figure",
           "matplotlib_inline.backend_inline", "pydantic", "yaml", "pyarrow.parquet",
           "ipykernel.kernelapp", "civmon.report", "civmon.plots", "civmon.params", "civmon.indicators",
           "civmon.stats", "civmon.data", "civmon.evaluation")


def _send(sock: socket.socket, obj) -> None:
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack("!I", len(data)) + data)


def _recv(sock: socket.socket):
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    data = _recv_exact(sock, struct.unpack("!I", head)[0])
    return None if data is None else json.loads(data)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def kernelspec(directory: Path, socket_path: str) -> Path:
    """Write a kernelspec 'civmon-fork' under `directory/kernels/` (add `directory` to JUPYTER_PATH)."""
    spec_dir = directory / "kernels" / "civmon-fork"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "civmon.run.forkserver", "launch", "-f", "{connection_file}"],
        "display_name": "civmon (forked kernel)",
        "language": "python",
        "env": {ENV_SOCKET: socket_path},
        "interrupt_mode": "signal",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir


# --- server -------------------------------------------------------------------------------------

def serve(socket_path: str, ready_fd: int | None = None) -> None:
    """Import the stack, then fork a kernel for each request until stdin closes or SIGTERM."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS thread pool may exist when we fork
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from civmon.programmes import CATALOGUE

    for entry in CATALOGUE.values():  # each programme's evaluation and phrasing
        for name in (entry.evaluation, entry.phrasing):
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    preload = os.environ.get(ENV_PRELOAD)
    if preload:  # the run's validated data, inherited by every kernel (copy-on-write)
        from civmon.data.source import preload as preload_data

        preload_data(preload)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    server.bind(socket_path)
    server.listen(16)
    if ready_fd is not None:
        os.write(ready_fd, b"1")
        os.close(ready_fd)
    import select

    parent = os.getppid()
    while True:
        readable, _, _ = select.select([server], [], [], 1.0)
        if os.getppid() != parent:  # the run that started us is gone (even after kill -9)
            break
        if not readable:
            continue
        conn, _ = server.accept()
        request = _recv(conn)
        if not request:
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:  # the kernel
            server.close()
            _become_kernel(conn, request)
            os._exit(0)
        _send(conn, {"pid": pid})
        conn.close()
    server.close()
    os.unlink(socket_path)


def _become_kernel(conn: socket.socket, request: dict) -> None:
    import random

    import numpy as np

    os.setsid()
    random.seed()
    np.random.seed(int.from_bytes(os.urandom(4), "little"))
    os.environ.update(request.get("env", {}))
    os.chdir(request.get("cwd") or os.getcwd())
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    launcher = int(request["launcher_pid"])

    def watch():  # the kernel must not outlive its launcher (e.g. after kill -9 of the run)
        import time

        while True:
            time.sleep(0.5)
            try:
                os.kill(launcher, 0)
            except OSError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    conn_fd = conn.detach()  # kept open: when this process ends the launcher sees EOF
    os.set_inheritable(conn_fd, False)
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = ["ipykernel", "-f", request["connection_file"]]
    app = IPKernelApp.instance()
    app.initialize(["-f", request["connection_file"]])
    app.start()


# --- launcher shim ------------------------------------------------------------------------------

def launch(connection_file: str) -> int:
    """Ask the server for a kernel; forward signals to it; exit when it exits."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ[ENV_SOCKET])
    env = {k: v for k, v in os.environ.items() if k.startswith(("CIVMON_", "JPY_", "PYTHON"))}
    _send(sock, {"connection_file": connection_file, "cwd": os.getcwd(), "env": env, "launcher_pid": os.getpid()})
    reply = _recv(sock)
    if not reply:
        return 1
    child = int(reply["pid"])

    def forward(signum, frame):
        try:
            os.kill(child, signum)
        except OSError:
            pass
        if signum == signal.SIGTERM:
            sys.exit(0)

    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, forward)
    parent = os.getppid()
    sock.settimeout(1.0)
    while True:  # the server closed its copy; the kernel holds the other end until it dies
        try:
            if not sock.recv(1):
                return 0
        except (InterruptedError, socket.timeout):
            if os.getppid() != parent:  # whoever started us is gone: take the kernel with us
                forward(signal.SIGKILL, None)
                return 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        serve(argv[1], int(argv[2]) if len(argv) > 2 else None)
        return 0
    if argv[:1] == ["launch"] and len(argv) == 3 and argv[1] == "-f":
        return launch(argv[2])
    print("usage: python -m civmon.run.forkserver serve SOCKET [READY_FD] | launch -f CONNECTION_FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
