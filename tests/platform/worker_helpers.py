"""A real task worker (`manage.py run_worker`) in its own process, on the test database,
and a real SMTP server on loopback to send to: what the kill and outage tests break."""

import asyncio
import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, as the worker process must reach it."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """`manage.py run_worker` as production runs it (PPP_TASKS=queue), with short heartbeats so
    a killed worker's jobs are noticed in seconds; its output goes to a log file."""

    def __init__(self, tmp_path: Path, **env):
        self.log_path = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DEBUG": "true",
            "PPP_TESTING": "false",
            "PPP_TASKS": "queue",
            "WORKER_HEARTBEAT_SECONDS": "1",
            "WORKER_STALLED_SECONDS": "3",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_USE_TLS": "false",
            "LOG_LEVEL": "INFO",
            **{k: str(v) for k, v in env.items()},
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no unregistering, jobs left "doing"."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def wait_for(condition, *, timeout: float, every: float = 0.05, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout} s waiting for {message or condition}")


class Sink:
    """An SMTP server that keeps every message it accepts ("250"), by Message-ID.

    `hold_at=n` makes it stop before accepting the n-th message and wait (`holding` is set)
    until `release()`; that message is then refused (it was never accepted), as a relay does
    when the client vanishes mid-conversation."""

    def __init__(self, *, hold_at: int | None = None):
        self.accepted: list[email.message.Message] = []
        self.hold_at = hold_at
        self.holding = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.release()
        self.controller.stop()

    def release(self):
        self._released.set()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            hold = self.hold_at is not None and len(self.accepted) + 1 == self.hold_at and not self.holding.is_set()
            if hold:
                self.holding.set()
        if hold:
            while not self._released.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Not accepted: try again later"
        with self._lock:
            self.accepted.append(message)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.accepted]


@contextlib.contextmanager
def black_hole():
    """A mail relay that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()
