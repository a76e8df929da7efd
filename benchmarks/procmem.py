"""Memory of one process as Linux accounts it (/proc), without psutil (importable by the tests)."""

from __future__ import annotations


def _field(pid: int, filename: str, name: str) -> int:
    """A ``kB`` field of /proc/<pid>/<filename>, in bytes (0 if absent)."""
    with open(f"/proc/{pid}/{filename}", encoding="ascii") as lines:
        for line in lines:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size of one process: each shared page counts its share only.

    The RSS of processes forked from one parent (Sanic workers) counts the pages they share
    (libraries, modules imported before the fork) once per process; their PSS adds up to the
    memory the group really occupies.
    """
    return _field(pid, "smaps_rollup", "Pss")


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (what ``psutil``'s ``memory_info().rss`` reports)."""
    return _field(pid, "status", "VmRSS")
