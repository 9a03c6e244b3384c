"""What the tests and the benchmarks share: a test configuration, a real `jiansuo serve` on a free loopback
port, and a call run in a fresh interpreter with the compiled parts switched off.

Nothing in the package imports this module; it imports nothing that the package does not already need.
"""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import config as config_module
from .native import SWITCH

PROJECT = Path(__file__).resolve().parent.parent


def make_config(data_dir: Path, **overrides) -> config_module.Config:
    """The default settings with the archive in `data_dir`."""
    return config_module.defaults().with_overrides(paths_data_dir=data_dir, **overrides)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """A real `jiansuo serve` process on a free loopback port, stopped by its process id."""

    def __init__(self, data_dir: Path, log_path: Path, *, workers: int = 1, env: dict | None = None,
                 start_seconds: float = 60):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = open(log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "--index", str(data_dir), "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers)],
            cwd=PROJECT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"jiansuo serve did not come up; see {log_path}: "
                                   + log_path.read_text(encoding="utf-8")[-2000:])
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


_CALL = """
import functools, importlib, pickle, sys
name, args, kwargs = pickle.loads(sys.stdin.buffer.read())
module, _, attribute = name.partition(":")
function = functools.reduce(getattr, attribute.split("."), importlib.import_module(module))
sys.stdout.buffer.write(pickle.dumps(function(*args, **kwargs)))
"""


def in_pure_python(name: str, *args, path: list[Path] = (), timeout: float = 300, **kwargs):
    """`module:function(*args, **kwargs)` called in a fresh interpreter with every compiled part switched off
    (`service.native`), its result brought back by pickle; `path` is put in front of the module search path."""
    env = {**os.environ, SWITCH: "1"}
    if path:
        env["PYTHONPATH"] = os.pathsep.join([*map(str, path), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run([sys.executable, "-c", _CALL], input=pickle.dumps((name, args, kwargs)), env=env,
                          cwd=PROJECT, capture_output=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed in pure Python:\n{done.stderr.decode('utf-8', 'replace')[-3000:]}")
    return pickle.loads(done.stdout)
