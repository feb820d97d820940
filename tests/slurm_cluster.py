"""A real one-node SLURM cluster (Debian's SLURM 22.05) for the SLURM test.

`start()` brings up munge, MariaDB + slurmdbd (accounting: the executor plugin
checks job states with `sacct`), slurmctld and slurmd on this machine, with the
configs in /etc/slurm, and returns a `Cluster` whose `stop()` ends the daemons it
started by the PIDs in their pid files. Where SLURM cannot be started here (not
root, packages absent, a site's own SLURM config present) `start()` raises
`SlurmUnavailable` with the reason; a daemon that is installed but does not come
up raises `SlurmStartError` with its log. Every wait is bounded.

Packages: apt-get install -y --no-install-recommends slurmctld slurmd slurm-client
munge slurmdbd mariadb-server.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = "slurmctld slurmd slurm-client munge slurmdbd mariadb-server"
BINARIES = (
    "slurmctld",
    "slurmd",
    "slurmdbd",
    "munged",
    "mariadbd",
    "mariadb",
    "sbatch",
    "sacct",
    "sacctmgr",
    "sinfo",
    "squeue",
    "runuser",
    "timeout",
)
MARKER = "# written by steadysqueeze tests/slurm_cluster.py"
CLUSTER = "steadysqueeze"
ACCOUNT = "steadysqueeze"
PARTITION = "debug"
SLURM_ETC = Path("/etc/slurm")
RUN_SLURM = Path("/run/slurm")
LOG_SLURM = Path("/var/log/slurm")
STATE_SLURM = Path("/var/lib/slurm")
LOCK = Path("/run/lock/steadysqueeze-slurm-test.lock")
MUNGE_PID = Path("/run/munge/munged.pid")
MYSQL_PID = Path("/run/mysqld/mysqld.pid")
DB_NAME = "slurm_acct_db"
DB_USER = "slurm"
DB_PASS = "steadysqueeze-test"  # local socket-only test database


class SlurmUnavailable(Exception):
    """SLURM cannot be started on this machine (the test skips)."""


class SlurmStartError(RuntimeError):
    """SLURM is installed but a daemon did not come up (the test fails)."""


@dataclass
class Daemon:
    name: str
    pidfile: Path
    log: Path | None = None
    pid: int | None = None  # read from the pid file once it started
    process: subprocess.Popen | None = None  # set when it is our child (mariadbd)
    log_handle: object | None = None


@dataclass
class Cluster:
    host: str
    account: str = ACCOUNT
    partition: str = PARTITION
    started: list[Daemon] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    lock: object | None = None  # open file holding the machine-wide flock

    def stop(self) -> None:
        """Cancel leftover jobs, then stop the daemons this cluster started, newest
        first, by the PIDs in their pid files; remove the config files it wrote."""
        if any(d.name == "slurmctld" for d in self.started):
            cancel_all_jobs()
        while self.started:
            _stop_daemon(self.started.pop())
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
        if self.lock is not None:
            self.lock.close()  # releases the flock
            self.lock = None

    def logs(self) -> str:
        """The tails of the daemons' logs (for failure messages)."""
        return "\n".join(
            f"--- {d.name} ({d.log}):\n{_tail(d.log)}" for d in self.started if d.log
        )


def _run(cmd, timeout=30, check=False, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, check=check, **kwargs
    )


def _tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is not alive
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _wait(predicate, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return True
        except (subprocess.SubprocessError, OSError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _is_daemon(pid: int | None, name: str) -> bool:
    """pid is alive and runs `name` (a pid file may be stale or reused)."""
    if not _alive(pid):
        return False
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return False
    return comm == name[:15]


def _stop_daemon(daemon: Daemon, timeout: float = 30) -> None:
    """SIGTERM (then SIGKILL) the daemon's pid: the one recorded when it started,
    else the one in its pid file, and only if that process is the daemon."""
    pid = daemon.pid or _read_pid(daemon.pidfile)
    if pid is None and daemon.process is not None:
        pid = daemon.process.pid
    if _is_daemon(pid, daemon.name):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if not _wait(lambda: not _alive(pid), timeout, 0.2):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _wait(lambda: not _alive(pid), 10, 0.2)
    if daemon.process is not None:
        try:
            daemon.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.process.kill()
            daemon.process.wait(timeout=10)
    if daemon.log_handle is not None:
        daemon.log_handle.close()


def _record_pid(daemon: Daemon, timeout: float = 15) -> None:
    """Remember the pid a self-daemonizing daemon wrote to its pid file."""
    if not _wait(lambda: _is_daemon(_read_pid(daemon.pidfile), daemon.name), timeout, 0.2):
        raise SlurmStartError(
            f"{daemon.name} wrote no pid file {daemon.pidfile}\n{_tail(daemon.log)}"
        )
    daemon.pid = _read_pid(daemon.pidfile)


def _lock() -> object:
    """A machine-wide lock: one cluster at a time (concurrent test runs would start
    daemons on the same ports and pid files, and stop each other's)."""
    handle = open(LOCK, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SlurmUnavailable(
            f"another test run is using this machine's SLURM cluster (lock {LOCK})"
        ) from None
    return handle


def _check_preconditions() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise SlurmUnavailable(
            "starting a SLURM cluster (munged, mariadbd, slurmdbd, slurmctld, slurmd) needs root"
        )
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if missing:
        raise SlurmUnavailable(
            f"SLURM not installed here (missing {', '.join(missing)}); install with "
            f"apt-get install -y --no-install-recommends {PACKAGES}"
        )
    conf = SLURM_ETC / "slurm.conf"
    if conf.exists() and MARKER not in conf.read_text(errors="replace"):
        raise SlurmUnavailable(
            f"{conf} exists and was not written by this test: not touching a site's SLURM"
        )


def _mkdir(path: Path, user: str, mode: int = 0o755) -> None:
    path.mkdir(parents=True, exist_ok=True)
    shutil.chown(path, user, user)
    path.chmod(mode)


def _write(cluster: Cluster, path: Path, text: str, user: str = "root", mode: int = 0o644):
    path.write_text(text)
    shutil.chown(path, user, user)
    path.chmod(mode)
    cluster.files.append(path)


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 20000


def _stop_stale_slurm() -> None:
    """Stop daemons left by an earlier, killed run of this test (our slurm.conf);
    refuse to touch SLURM daemons that are running under anyone else's config."""
    ours = (SLURM_ETC / "slurm.conf").exists()  # the marker was checked before
    for name in ("slurmd", "slurmctld", "slurmdbd"):
        daemon = Daemon(name, RUN_SLURM / f"{name}.pid")
        pid = _read_pid(daemon.pidfile)
        if not _is_daemon(pid, name):
            continue
        if not ours:
            raise SlurmUnavailable(f"{name} is already running here (pid {pid})")
        _stop_daemon(daemon)


def _start_munge(cluster: Cluster) -> None:
    if _is_daemon(_read_pid(MUNGE_PID), "munged"):
        return  # already running: use it, leave it running
    _mkdir(Path("/run/munge"), "munge")
    log = Path("/var/log/munge/munged.log")
    daemon = Daemon("munged", MUNGE_PID, log)
    result = _run(["runuser", "-u", "munge", "--", "munged"])
    if result.returncode != 0:
        raise SlurmStartError(f"munged did not start: {result.stderr}\n{_tail(log)}")
    cluster.started.append(daemon)
    _record_pid(daemon)
    ok = _wait(
        lambda: _run("munge -n | unmunge", shell=True, timeout=10).returncode == 0, 20
    )
    if not ok:
        raise SlurmStartError(f"munge does not answer\n{_tail(log)}")


def _mariadb_answers() -> bool:
    return _run(["mariadb", "-e", "select 1"], timeout=10).returncode == 0


def _start_mariadb(cluster: Cluster, workdir: Path) -> None:
    if not _mariadb_answers():
        _mkdir(Path("/run/mysqld"), "mysql")
        log = workdir / "mariadbd.log"
        handle = log.open("w")
        process = subprocess.Popen(
            ["mariadbd", "--user=mysql", f"--pid-file={MYSQL_PID}"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        cluster.started.append(
            Daemon("mariadbd", MYSQL_PID, log, process.pid, process, handle)
        )
        if not _wait(_mariadb_answers, 60):
            raise SlurmStartError(f"MariaDB does not answer\n{_tail(log)}")
    sql = (
        f"CREATE DATABASE IF NOT EXISTS {DB_NAME}; "
        f"CREATE OR REPLACE USER '{DB_USER}'@'localhost' IDENTIFIED BY '{DB_PASS}'; "
        f"GRANT ALL ON {DB_NAME}.* TO '{DB_USER}'@'localhost'; FLUSH PRIVILEGES;"
    )
    result = _run(["mariadb", "-e", sql])
    if result.returncode != 0:
        raise SlurmStartError(f"creating the slurmdbd database failed: {result.stderr}")


def _slurm_conf(host: str) -> str:
    cpus = max(1, min(2, os.cpu_count() or 1))
    memory = min(20000, int(_memory_mb() * 0.9))
    return f"""{MARKER}
ClusterName={CLUSTER}
SlurmctldHost={host}
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation={STATE_SLURM}/slurmctld
SlurmdSpoolDir={STATE_SLURM}/slurmd
SlurmctldPidFile={RUN_SLURM}/slurmctld.pid
SlurmdPidFile={RUN_SLURM}/slurmd.pid
SlurmctldLogFile={LOG_SLURM}/slurmctld.log
SlurmdLogFile={LOG_SLURM}/slurmd.log
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost={host}
MinJobAge=300
NodeName={host} CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName={PARTITION} Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def _slurmdbd_conf(host: str) -> str:
    return f"""{MARKER}
AuthType=auth/munge
DbdHost={host}
SlurmUser=slurm
PidFile={RUN_SLURM}/slurmdbd.pid
LogFile={LOG_SLURM}/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser={DB_USER}
StoragePass={DB_PASS}
StorageLoc={DB_NAME}
"""


def _start_slurm_daemon(cluster: Cluster, name: str, ready, timeout: float = 60) -> None:
    daemon = Daemon(name, RUN_SLURM / f"{name}.pid", LOG_SLURM / f"{name}.log")
    result = _run([name], timeout=60)
    cluster.started.append(daemon)
    if result.returncode != 0:
        raise SlurmStartError(
            f"{name} did not start: {result.stdout}{result.stderr}\n{_tail(daemon.log)}"
        )
    _record_pid(daemon)
    if not _wait(ready, timeout):
        raise SlurmStartError(f"{name} is not ready after {timeout} s\n{_tail(daemon.log)}")


def _node_state() -> str:
    return _run(["sinfo", "-h", "-N", "-o", "%T"], timeout=10).stdout.strip()


def start(workdir: Path) -> Cluster:
    """Start a one-node cluster; raises SlurmUnavailable (skip) or SlurmStartError."""
    _check_preconditions()
    host = _run(["hostname", "-s"]).stdout.strip() or socket.gethostname().split(".")[0]
    cluster = Cluster(host, lock=_lock())
    try:
        _stop_stale_slurm()
        _start_munge(cluster)
        _start_mariadb(cluster, workdir)
        SLURM_ETC.mkdir(parents=True, exist_ok=True)
        for path in (RUN_SLURM, LOG_SLURM, STATE_SLURM / "slurmctld", STATE_SLURM / "slurmd"):
            _mkdir(path, "slurm")
        _write(cluster, SLURM_ETC / "slurm.conf", _slurm_conf(host))
        _write(cluster, SLURM_ETC / "slurmdbd.conf", _slurmdbd_conf(host), "slurm", 0o600)
        _start_slurm_daemon(
            cluster,
            "slurmdbd",
            lambda: _run(["sacctmgr", "-n", "-P", "list", "cluster"], timeout=10).returncode
            == 0,
        )
        _start_slurm_daemon(
            cluster, "slurmctld", lambda: _run(["scontrol", "ping"], timeout=10).returncode == 0
        )
        _start_slurm_daemon(cluster, "slurmd", lambda: _node_state() == "idle", timeout=90)
        cancel_all_jobs()  # from an earlier, killed run (slurmctld keeps its state)
        # The plugin validates slurm_account with sacctmgr; add the account (idempotent).
        _run(["sacctmgr", "-i", "add", "account", ACCOUNT, f"Cluster={CLUSTER}"])
        _run(["sacctmgr", "-i", "add", "user", "root", f"Account={ACCOUNT}"])
        has_account = lambda: ACCOUNT in _run(  # noqa: E731
            ["sacctmgr", "-n", "-P", "show", "assoc", "where", "user=root", "format=account"],
            timeout=10,
        ).stdout.split()
        if not _wait(has_account, 30):
            raise SlurmStartError(f"sacctmgr did not add account {ACCOUNT}")
    except BaseException:
        logs = cluster.logs()
        cluster.stop()
        if logs:
            print(logs)
        raise
    return cluster


def cancel_all_jobs() -> None:
    """Cancel every job of this (test-only) cluster, e.g. left by a killed run."""
    try:
        jobs = _run(["squeue", "-h", "-o", "%i"], timeout=15).stdout.split()
        if jobs:
            _run(["scancel", *jobs], timeout=15)
    except (subprocess.SubprocessError, OSError):
        pass


def submitted_jobs(log_text: str) -> dict[str, str]:
    """SLURM job id -> what it ran ('rule_<name>' or 'group_<group>_<rules>'), from
    the executor plugin's 'has been submitted with SLURM jobid ID (log: PATH)' lines
    (the SLURM log lies in .snakemake/slurm_logs/<rule_or_group>/...)."""
    jobs = {}
    pattern = r"has been submitted with SLURM jobid (\d+) \(log: ([^)\s]+)\)"
    for job_id, path in re.findall(pattern, log_text):
        parts = Path(path).parts
        kind = parts[parts.index("slurm_logs") + 1] if "slurm_logs" in parts else "?"
        jobs[job_id] = kind
    return jobs


def sacct_states(since: str) -> dict[str, str]:
    """Job id -> state of every job (allocations, not steps) that sacct records as
    submitted since `since` (sacct time format, e.g. 2026-01-01T12:00:00)."""
    result = _run(
        ["sacct", "-X", "-n", "-P", "-a", "-o", "JobID,State", "-S", since], timeout=30
    )
    states = {}
    for line in result.stdout.splitlines():
        job, _, state = line.partition("|")
        states[job.strip()] = state.strip()
    return states
