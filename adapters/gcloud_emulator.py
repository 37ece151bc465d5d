"""Google's local emulators (Firestore, Pub/Sub) for the tests and benchmarks: free loopback port, own process group.

`gcloud ... emulators X start` runs a Java child, so an emulator is started in a new session and stopped by
signalling the whole process group; stopping only gcloud would leave Java running. Being in its own session
also keeps a terminal's Ctrl-C away from it: the caller stops it (in a `finally`). Development tooling only;
the production adapters never start an emulator, they only honour the `*_EMULATOR_HOST` variable it sets.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

READY_WITHIN_SECONDS = 90.0


class EmulatorUnavailable(RuntimeError):
    """The tools the emulator needs are not installed, or it did not come up."""


def locate_gcloud(product: str, component: str, path: str | None = None) -> str:
    """gcloud runs the emulator and Java runs inside it; both must be on PATH."""
    found = {tool: shutil.which(tool, path=path) for tool in ("gcloud", "java")}
    missing = [tool for tool, where in found.items() if where is None]
    if missing:
        raise EmulatorUnavailable(
            f"the {product} emulator needs {' and '.join(missing)} on PATH, and did not find it. Install the "
            "Google Cloud CLI (https://cloud.google.com/sdk/docs/install) with its emulator "
            f"(`gcloud components install {component}`, or apt `google-cloud-cli-{component.removeprefix('cloud-')}`) "
            "and a Java 17+ runtime (e.g. `apt-get install openjdk-17-jre-headless`)"
        )
    return str(found["gcloud"])


class GcloudEmulator:
    """One emulator, started on first `host()`, which also sets `environment_variable` for clients made after it."""

    product = ""
    component = ""
    command: tuple[str, ...] = ()
    """gcloud's arguments before `--host-port`, e.g. ("emulators", "firestore", "start")."""
    environment_variable = ""

    def __init__(self, project: str) -> None:
        self.project = project
        self._process: subprocess.Popen[bytes] | None = None
        self._host: str | None = None
        self._failure: EmulatorUnavailable | None = None
        self._log = tempfile.TemporaryFile()

    def host(self) -> str:
        """A failed start is remembered, so every later caller fails at once with the same reason."""
        if self._failure is not None:
            raise self._failure
        if self._host is None:
            try:
                self._host = self._start(locate_gcloud(self.product, self.component))
            except EmulatorUnavailable as unavailable:
                self._failure = unavailable
                raise
        return self._host

    def stop(self) -> None:
        """Safe to call more than once, and before or after a failed start."""
        if self._process is not None:
            _stop_group(self._process)
        self._process = self._host = None
        self._log.close()

    def _start(self, gcloud: str) -> str:
        host = f"127.0.0.1:{_free_port()}"
        self._process = subprocess.Popen(
            [gcloud, *self.command, f"--host-port={host}", f"--project={self.project}"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"},
            start_new_session=True,
        )
        self._wait_until_ready(host)
        os.environ[self.environment_variable] = host
        return host

    def _wait_until_ready(self, host: str) -> None:
        """Both emulators answer a plain GET on their port once they serve."""
        assert self._process is not None
        deadline = time.monotonic() + READY_WITHIN_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmulatorUnavailable(f"the {self.product} emulator exited at start-up:\n{self._output()}")
            try:
                urllib.request.urlopen(f"http://{host}/", timeout=1).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        _stop_group(self._process)
        raise EmulatorUnavailable(
            f"the {self.product} emulator was not ready within {READY_WITHIN_SECONDS:.0f} s:\n{self._output()}"
        )

    def _output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
