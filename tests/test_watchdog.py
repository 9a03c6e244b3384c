"""No test can hang the run: pytest-timeout fails a slow test, and the watchdog ends one that holds out."""

import os
import subprocess
import sys
import textwrap

import pytest

import watchdog
from helpers import TESTS


def run_pytest(folder, source: str, *options: str, margin: str = "30") -> subprocess.CompletedProcess:
    (folder / "test_case.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "watchdog", "-p", "no:cacheprovider", "-n", "0",
                           "--rootdir", str(folder), "-c", os.devnull, *options, str(folder / "test_case.py")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(TESTS), "JIANSUO_WATCHDOG_MARGIN": margin})


@pytest.mark.slow
def test_a_test_past_its_timeout_fails_and_the_next_one_runs(tmp_path):
    done = run_pytest(tmp_path, """
        import time, pytest

        @pytest.mark.timeout(1)
        def test_slow():
            time.sleep(30)

        def test_after():
            pass
    """)
    assert done.returncode == 1
    assert "1 failed, 1 passed" in done.stdout and "Timeout" in done.stdout


@pytest.mark.slow
def test_a_test_that_no_signal_reaches_is_ended_by_the_watchdog(tmp_path):
    # SIGALRM blocked stands in for a compiled loop holding the GIL: pytest-timeout's signal never lands.
    done = run_pytest(tmp_path, """
        import signal, time, pytest

        @pytest.mark.timeout(1)
        def test_stuck():
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            time.sleep(60)
    """, margin="1")
    assert done.returncode != 0
    assert "Timeout (0:00:" in done.stderr and "test_stuck" in done.stderr


@pytest.mark.timeout(7)
def test_the_timeout_marker_sets_the_watchdog(request):
    assert watchdog._timeout_of(request.node) == 7.0
