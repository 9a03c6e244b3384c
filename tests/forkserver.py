"""A fork server for the `jiansuo` command: each run a real process, without a second of start-up.

A `jiansuo` process spends about a second starting (imports, then jieba-rs's dictionary, jieba's for page
splitting and symbol-bearing words, and the general-Chinese idf table) before doing milliseconds of work.
The server is one helper process per test process that does that start-up once, then `os.fork()`s a child
for every command. The child is a real process: its own pid (SIGKILL ends it mid-ingest), the caller's files
as fds 0, 1 and 2, the caller's argv, working directory and environment, standard streams made the way the
interpreter makes them, and an exit status that is its own (a negative signal number when a signal ended it).
What a forked child cannot take from its request is what the interpreter fixes when it starts: the PYTHON*
variables (a request that changes one is refused) and the hash seed, shared by every child of one server.

Protocol, over a SOCK_SEQPACKET socket pair whose server end the server inherits (`pass_fds`):

    server -> client  ("ready",)                    once, after the preloading
    client -> server  pickle (argv, cwd, env)       with three fds: stdin, stdout, stderr (SCM_RIGHTS)
    server -> client  ("pid", pid)                  the child is running
    server -> client  ("status", returncode)        it ended; the server has not reaped it yet, so its pid
    client -> server  b"ack"                        stays its own until then and `kill` cannot hit another
                                                    process; then the server reaps it and takes the next

Requests are served one at a time. The server is single-threaded and never outlives its client: when its
socket closes (`stop`, or the test process ended however it did) it SIGKILLs a running child, reaps it and
exits. A test that runs `jiansuo` this way uses `run` (like `subprocess.run`) or `start` (like `Popen`).
"""

from __future__ import annotations

import atexit
import io
import locale
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

_MESSAGE_BYTES = 1 << 20
# How long the server may take to preload (a busy machine, two of them starting at once).
_START_SECONDS = 300
# How long a SIGKILLed child may take to be reported.
_KILLED_SECONDS = 30


def default_env() -> dict[str, str]:
    """The environment the tests run `jiansuo` with: this process's, with UTF-8 standard streams."""
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _startup_settings(env: dict[str, str]) -> dict[str, str]:
    """The variables the interpreter reads once, when it starts (PYTHONIOENCODING, PYTHONHASHSEED, ...)."""
    return {key: value for key, value in env.items() if key.startswith("PYTHON")}


# --- the server -----------------------------------------------------------------------------------------------


def _preload() -> None:
    """What every command loads, loaded once: the modules, jieba-rs and jieba dictionaries, the idf table."""
    import service.cli  # noqa: F401
    import service.engine  # noqa: F401
    from service.ingest.pages import split_page
    from service.summaries.keywords import background_idf
    from service.text.analyzer import Analyzer

    analyzer = Analyzer()
    analyzer.terms("预热")  # the shared jieba-rs segmenter
    analyzer.terms("1.5% x-15")  # the shared jieba, for blocks jieba-rs cuts differently
    background_idf()
    # The page splitter's private jieba, loaded when it first asks whether a line runs on into the next.
    split_page("B03 城事 2018年2月28日 星期三\n\n标题\n正文第一行正文第一行。\n\n（张三）\n")


def _serve(fd: int) -> None:
    import gc

    sock = socket.socket(fileno=fd)
    # Ctrl-C reaches the whole process group: the test process and the child see it; the server waits for its
    # socket to close instead. Children get the interpreter's own SIGINT handler back.
    fresh_sigint = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _preload()
    gc.collect()
    gc.freeze()  # what was loaded stays put: children do not copy pages by collecting it
    sys.stdout.flush()
    sys.stderr.flush()
    sock.sendall(pickle.dumps(("ready",)))
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(sock, _MESSAGE_BYTES, 3)
        except ConnectionError:
            break
        if not data:
            break
        argv, cwd, env = pickle.loads(data)
        pid = os.fork()
        if pid == 0:
            _child(sock, fds, argv, cwd, env, fresh_sigint)  # never returns
        for descriptor in fds:
            os.close(descriptor)
        if not _report(sock, pid):
            break
    sock.close()


def _report(sock: socket.socket, pid: int) -> bool:
    """Send the child's pid, then its status once it ends; reap it when the client has taken that. False (the
    child killed and reaped) when the client went away."""
    try:
        sock.sendall(pickle.dumps(("pid", pid)))
        returncode = _await_child(sock, pid)
        if returncode is None:
            return False
        sock.sendall(pickle.dumps(("status", returncode)))
        ack = sock.recv(16)
    except ConnectionError:
        ack = b""
    if not ack:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.waitpid(pid, 0)
    return bool(ack)


def _await_child(sock: socket.socket, pid: int) -> int | None:
    """The child's return code once it has ended, left unreaped; None if the socket closed first (then the child
    is killed and reaped)."""
    pidfd = os.pidfd_open(pid)
    # poll, not select: a test process holds hundreds of descriptors, and select takes none numbered past 1023.
    waiting = select.poll()
    waiting.register(sock, select.POLLIN)
    waiting.register(pidfd, select.POLLIN)
    try:
        while True:
            ready = {fd for fd, _ in waiting.poll()}
            if pidfd in ready:
                break
            if not sock.recv(16, socket.MSG_PEEK):  # only an end of file comes while a child runs
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
    finally:
        os.close(pidfd)
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def _child(sock: socket.socket, fds: list[int], argv: list[str], cwd: str, env: dict[str, str],
           fresh_sigint) -> None:
    status = 1
    try:
        status = _run_child(sock, fds, argv, cwd, env, fresh_sigint)
    except BaseException:  # noqa: BLE001 - whatever happens, the child never returns into the server's loop
        try:
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(status)


def _std_stream(fd: int, name: str, like: io.TextIOWrapper) -> io.TextIOWrapper:
    """sys.stdin, sys.stdout or sys.stderr on `fd`, made as the interpreter makes them at start-up (CPython's
    create_stdio), with the encoding, errors and buffering this server's interpreter chose for its own."""
    write = name != "<stdin>"
    buffered = not like.write_through  # PYTHONUNBUFFERED / -u
    buffer = open(fd, "wb" if write else "rb", 0 if write and not buffered else -1, closefd=False)
    raw = buffer if isinstance(buffer, io.FileIO) else buffer.raw
    raw.name = name
    line_buffering = buffered and (raw.isatty() or name == "<stderr>")
    stream = io.TextIOWrapper(buffer, like.encoding, like.errors, "\n", line_buffering, not buffered)
    stream.mode = "w" if write else "r"
    return stream


def _run_child(sock: socket.socket, fds: list[int], argv: list[str], cwd: str, env: dict[str, str],
               fresh_sigint) -> int:
    import logging
    import threading

    sock.close()
    if fresh_sigint is not None:
        signal.signal(signal.SIGINT, fresh_sigint)
    for target, descriptor in enumerate(fds):
        os.dup2(descriptor, target)
    for descriptor in fds:
        if descriptor > 2:
            os.close(descriptor)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    import service

    sys.argv = [os.path.join(os.path.dirname(service.__file__), "__main__.py"), *argv]
    sys.path[0] = os.getcwd()  # `python -m` puts the working directory first

    old = (sys.stdin, sys.stdout, sys.stderr)
    sys.stdin = sys.__stdin__ = _std_stream(0, "<stdin>", sys.__stdin__)
    sys.stdout = sys.__stdout__ = _std_stream(1, "<stdout>", sys.__stdout__)
    sys.stderr = sys.__stderr__ = _std_stream(2, "<stderr>", sys.__stderr__)
    # Log handlers made at import (jieba's) write to the stream they were given: the new one.
    handlers = list(logging.root.handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        handlers += getattr(logger, "handlers", [])
    for handler in handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream in old:
            handler.stream = (sys.stdin, sys.stdout, sys.stderr)[old.index(handler.stream)]

    # What a fresh process would not share with its siblings. `random` reseeds itself after a fork.
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    if "multiprocessing" in sys.modules:
        sys.modules["multiprocessing"].current_process().authkey = os.urandom(32)

    import service.cli

    interrupted = False
    try:
        raise SystemExit(service.cli.main(argv))
    except SystemExit as exc:
        status = _exit_status(exc.code)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        status, interrupted = 1, True
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        sys.excepthook(*sys.exc_info())
        status = 1
    # The interpreter's exit: wait for threads, run atexit, flush the standard streams.
    threading._shutdown()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001
        status = 120
    try:
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass
    if interrupted:  # an uncaught KeyboardInterrupt ends the process by SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        status = 128 + signal.SIGINT
    return status


def _exit_status(code) -> int:
    """`sys.exit(code)` as the interpreter ends on it: None is 0, a number itself, anything else printed, 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1


# --- the client -----------------------------------------------------------------------------------------------


def _text_encoding() -> str:
    """What `subprocess` decodes text output with."""
    return "utf-8" if sys.flags.utf8_mode else locale.getencoding()


def _decoded(data: bytes) -> str:
    """Bytes as `subprocess.run(..., text=True)` returns them: decoded, newlines made "\\n"."""
    return data.decode(_text_encoding()).replace("\r\n", "\n").replace("\r", "\n")


class _Server:
    def __init__(self) -> None:
        self.env = default_env()
        self.log = tempfile.TemporaryFile()
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        boot = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); import forkserver; del sys.path[0]; "
                "forkserver._serve(int(sys.argv[1]))")
        try:
            self.process = subprocess.Popen([sys.executable, "-c", boot, str(theirs.fileno())],
                                            pass_fds=[theirs.fileno()], cwd=PROJECT, env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        finally:
            theirs.close()
        self.ready = False
        self.current: Process | None = None

    def _receive(self, timeout: float | None):
        """The next message; TimeoutError past `timeout` seconds (0: if none is there already)."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(_MESSAGE_BYTES)
        except BlockingIOError:
            raise TimeoutError from None
        finally:
            self.sock.settimeout(None)
        if not data:
            raise RuntimeError(self._died())
        return pickle.loads(data)

    def _died(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = "still running"
        self.log.seek(0)
        log = self.log.read().decode("utf-8", "replace")[-4000:]
        return f"the fork server closed its socket (exit status {code}); its standard error:\n{log}"

    def spawn(self, argv: list[str], cwd, env: dict[str, str], fds: list[int]) -> int:
        if not self.ready:
            try:
                assert self._receive(_START_SECONDS) == ("ready",)
            except TimeoutError:
                raise RuntimeError(f"the fork server did not finish preloading in {_START_SECONDS} s") from None
            self.ready = True
        socket.send_fds(self.sock, [pickle.dumps((list(argv), str(cwd), env))], fds)
        kind, pid = self._receive(None)
        assert kind == "pid", kind
        return pid

    def status(self, timeout: float | None) -> int:
        kind, returncode = self._receive(timeout)
        assert kind == "status", kind
        self.sock.sendall(b"ack")
        return returncode

    def close(self) -> None:
        self.sock.close()  # the server kills a running child, reaps it and exits
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


_server: _Server | None = None


def server() -> _Server:
    """This process's fork server, started on first use (it preloads while the caller goes on)."""
    global _server
    if _server is not None and _server.current is not None and _server.current.returncode is None:
        # Left running by a test that failed or was interrupted: ended as its test was. Should its status be
        # lost (an interrupt between taking it and acknowledging it), a new server replaces this one.
        try:
            _server.current.kill()
            _server.current.wait(timeout=_KILLED_SECONDS)
        except (subprocess.TimeoutExpired, RuntimeError):
            stop()
    if _server is None or _server.process.poll() is not None:
        if _server is None:
            atexit.register(stop)
        else:
            stop()
        _server = _Server()
    return _server


def stop() -> None:
    """End this process's fork server, and a child it is running, if it was started."""
    global _server
    if _server is not None:
        _server.close()
        _server = None


class Process:
    """A forked `jiansuo` run, used like a `subprocess.Popen` (text mode)."""

    def __init__(self, fork_server: _Server, args: list[str], pid: int, stdin, stdout, stderr) -> None:
        self._server = fork_server
        self.args = args
        self.pid = pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                self.returncode = self._server.status(timeout)
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout) from None
        return self.returncode

    def poll(self) -> int | None:
        try:
            return self.wait(timeout=0)
        except subprocess.TimeoutExpired:
            return None

    def send_signal(self, sig: int) -> None:
        # Until its status has been taken (and acknowledged) the server leaves the child unreaped: the pid is
        # still this process's, if only as a zombie, so the signal cannot reach another process.
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc_info) -> None:
        for stream in (self.stdin, self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        self.wait()


def _command(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "service", *argv]


def start(args, *, stdin=subprocess.DEVNULL, stdout=None, stderr=None, cwd=PROJECT,
          env: dict[str, str] | None = None) -> Process:
    """`subprocess.Popen([python, "-m", "service", *args], text=True, ...)`, forked from the server.

    stdin, stdout, stderr: subprocess.PIPE (a text pipe on the returned object), subprocess.DEVNULL, None (this
    process's own fd), a file descriptor or a file object. stdin defaults to /dev/null, never to the test
    process's own (under pytest-xdist that is its channel to the controller).
    """
    env = default_env() if env is None else dict(env)
    fork_server = server()
    if _startup_settings(env) != _startup_settings(fork_server.env):
        raise ValueError("a forked run cannot change PYTHON* variables, which the interpreter reads when it starts; "
                         "run that command with subprocess")
    sent, ours, close = [], [None, None, None], []
    try:
        for number, choice in enumerate((stdin, stdout, stderr)):
            if choice == subprocess.PIPE:
                read, write = os.pipe()
                theirs, mine = (read, write) if number == 0 else (write, read)
                close.append(theirs)
                ours[number] = (io.TextIOWrapper(open(mine, "wb"), encoding=_text_encoding(), write_through=True)
                                if number == 0 else io.TextIOWrapper(open(mine, "rb"), encoding=_text_encoding()))
            elif choice == subprocess.DEVNULL:
                theirs = os.open(os.devnull, os.O_RDONLY if number == 0 else os.O_WRONLY)
                close.append(theirs)
            elif choice is None:
                theirs = number
            elif isinstance(choice, int):
                theirs = choice
            else:
                theirs = choice.fileno()
            sent.append(theirs)
        pid = fork_server.spawn(args, cwd, env, sent)
    except BaseException:
        for stream in ours:
            if stream is not None:
                stream.close()
        raise
    finally:
        for descriptor in close:
            os.close(descriptor)
    process = Process(fork_server, _command(list(args)), pid, *ours)
    fork_server.current = process
    return process


def run(args, *, stdin: str | None = None, cwd=PROJECT, env: dict[str, str] | None = None,
        timeout: float | None = 120) -> subprocess.CompletedProcess:
    """`subprocess.run([python, "-m", "service", *args], input=stdin, capture_output=True, text=True, ...)`,
    forked from the server.

    Output is collected in temporary files, not pipes, so no amount of it can block the child. `stdin` is text,
    or None for /dev/null. Past `timeout` seconds the child is SIGKILLed and TimeoutExpired raised, with what
    it had written, as `subprocess.run` does.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as given:
        if stdin is not None:
            given.write(stdin.encode(_text_encoding()))
            given.seek(0)
        process = start(args, stdin=subprocess.DEVNULL if stdin is None else given, stdout=out, stderr=err,
                        cwd=cwd, env=env)

        def output() -> tuple[str, str]:
            out.seek(0)
            err.seek(0)
            return _decoded(out.read()), _decoded(err.read())

        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=_KILLED_SECONDS)
            stdout, stderr = output()
            raise subprocess.TimeoutExpired(process.args, timeout, output=stdout, stderr=stderr) from None
        except BaseException:  # pytest-timeout, Ctrl-C: the child does not outlive its test
            process.kill()
            raise
        stdout, stderr = output()
    return subprocess.CompletedProcess(process.args, returncode, stdout, stderr)
