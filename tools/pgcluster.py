"""A private PostgreSQL cluster for the test and demo commands.

The cluster lives in a folder of its own, listens on 127.0.0.1 on a free port and on a
socket in that folder, so it never touches a server already running on the machine. Run as
root, the server runs as the unprivileged user ``nobody`` (PostgreSQL refuses root).
"""

import contextlib
import glob
import hashlib
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DB_USER = "odoo"
UNPRIVILEGED = "nobody"


class ClusterError(RuntimeError):
    pass


def pg_bindir():
    """Folder of the PostgreSQL server binaries; installs Debian's server when missing."""
    for _attempt in (1, 2):
        def major(path):
            part = path.split("/")[4]
            return int(part) if part.isdigit() else 0

        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=major)
        if candidates:
            return Path(candidates[-1]).parent
        found = shutil.which("initdb")
        if found:
            return Path(found).resolve().parent
        install_debian_packages(["postgresql"])
    raise ClusterError("No PostgreSQL server found (initdb), and Debian's `postgresql` could not be installed.")


def install_debian_packages(packages):
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ClusterError(f"Missing {', '.join(packages)}: install them with your package manager "
                           f"(Debian: apt-get install {' '.join(packages)}).")
    print(f"[setup] installing Debian packages: {' '.join(packages)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=False, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env, stdout=subprocess.DEVNULL)


def free_port(start=None):
    # a random start: two test runs started at the same moment do not race for one port
    start = start or random.randint(20000, 60000)
    for port in range(start, start + 500):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ClusterError("No free TCP port for PostgreSQL.")


def _reachable_by(user, path):
    """True when ``user`` can traverse every folder up to ``path``."""
    if os.geteuid() != 0:
        return True
    return subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(path)],
                          check=False).returncode == 0


class Cluster:
    """A PostgreSQL cluster in ``root``: ``root/data`` holds the data, ``root/port`` the port."""

    def __init__(self, root, *, persistent=False):
        self.root = Path(root)
        self.persistent = persistent
        self.bindir = pg_bindir()
        self.as_root = os.geteuid() == 0
        self.port = None

    # -- helpers -------------------------------------------------------------------------
    def _run(self, args, **kwargs):
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", UNPRIVILEGED, "--", *cmd]
        return subprocess.run(cmd, check=True, **kwargs)

    @property
    def data(self):
        return self.root / "data"

    @property
    def pgdata(self):
        """The data folder itself (``data`` may be a link to a folder outside the checkout)."""
        return self.data.resolve()

    @property
    def sockdir(self):
        # Unix socket paths are limited to 107 bytes: keep the socket in a short path.
        digest = hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:10]
        path = Path(tempfile.gettempdir()) / f"lp-pg-{digest}"
        path.mkdir(exist_ok=True)
        if self.as_root:
            shutil.chown(path, UNPRIVILEGED)
        return path

    def _log(self):
        return self.root / "postgresql.log"

    # -- lifecycle -----------------------------------------------------------------------
    def init(self):
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_root and not _reachable_by(UNPRIVILEGED, self.root):
            # The checkout sits under a folder the unprivileged user cannot enter (e.g. /root):
            # keep the data in a private folder of /var/tmp, linked from the checkout.
            digest = hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:10]
            outside = Path("/var/tmp") / f"account_late_payment-{digest}"
            outside.mkdir(parents=True, exist_ok=True)
            if not self.data.is_symlink():
                if self.data.exists():
                    shutil.rmtree(self.data)
                self.data.symlink_to(outside / "data")
            target = outside
        else:
            target = self.root
        if (self.pgdata / "PG_VERSION").exists():
            return False
        (target / "data").mkdir(parents=True, exist_ok=True)
        if self.as_root:
            for path in (target, target / "data"):
                shutil.chown(path, UNPRIVILEGED)
            os.chmod(target / "data", 0o700)
        self._run(["initdb", "-D", str(self.pgdata), "-U", DB_USER, "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
        return True

    def start(self):
        port_file = self.root / "port"
        if self.persistent and port_file.exists():
            self.port = int(port_file.read_text())
            if self.is_running():
                return
            with contextlib.suppress(ClusterError):
                self.port = free_port(self.port)
        else:
            self.port = free_port()
        port_file.write_text(f"{self.port}\n")
        logfile = self._log()
        logfile.touch()
        if self.as_root:
            shutil.chown(logfile, UNPRIVILEGED)
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.sockdir} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(["pg_ctl", "-D", str(self.pgdata), "-l", str(logfile), "-o", options,
                   "-w", "-t", "60", "start"], stdout=subprocess.DEVNULL)

    def is_running(self):
        try:
            self._run(["pg_ctl", "-D", str(self.pgdata), "status"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            return False
        return True

    def stop(self):
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def remove(self):
        self.stop()
        data = self.data
        if data.is_symlink():
            shutil.rmtree(data.resolve().parent, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.sockdir, ignore_errors=True)

    # -- databases -----------------------------------------------------------------------
    def psql(self, sql, dbname="postgres"):
        psql = self.bindir / "psql"
        cmd = [str(psql) if psql.exists() else "psql", "-h", "127.0.0.1", "-p", str(self.port),
               "-U", DB_USER, "-d", dbname, "-tAc", sql]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def database_exists(self, name):
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"

    def drop_database(self, name):
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def odoo_args(self):
        return ["--db_host", "127.0.0.1", "--db_port", str(self.port), "--db_user", DB_USER]


def wait_for_port(port, seconds=60):
    """True as soon as something listens on 127.0.0.1:`port` (checked at least once)."""
    deadline = time.time() + seconds
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        if time.time() >= deadline:
            return False
        time.sleep(0.5)
