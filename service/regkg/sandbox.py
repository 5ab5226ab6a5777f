"""Confine an engine process so that no query can reach the network, run a program or read files.

A guard that reads query text is bypassed by a spelling it did not foresee (issue 9 found
``?y concern:.SERVICE <http://127.0.0.1:8399/> {...}``). So the processes that evaluate SPARQL
are made *unable* to do harm, by the kernel, before they take any work:

* **seccomp** (through pyseccomp over Debian's libseccomp2): ``socket``, ``socketpair``,
  ``execve`` and ``execveat`` fail with EACCES. Sockets created before the filter (the pipe to the
  web process) keep working; pyoxigraph's SERVICE client cannot open a connection.
* **Landlock** (ABI 1+; this kernel has 7): the file system is read-only, and readable only under
  the Python installation (code imported later) and the folders named by the caller (the data the
  worker loads); TCP bind and connect are denied (ABI 4+), and abstract UNIX sockets and signals
  to processes outside the sandbox are scoped (ABI 6+).
* ``PR_SET_NO_NEW_PRIVS``, which both need and which keeps a confined process from gaining
  privileges.

:func:`confine` fails closed: when a layer cannot be applied it raises :class:`SandboxError`, and
a worker that cannot confine itself does not start (``REGKG_SANDBOX=off`` lifts this on hosts
without seccomp or Landlock, and /healthz then says so).
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["SandboxError", "SandboxReport", "confine"]

_PR_SET_NO_NEW_PRIVS: Final = 38

# Landlock (linux/landlock.h). The syscall numbers are those of the generic table (x86_64 and
# aarch64 alike).
_SYS_CREATE_RULESET: Final = 444
_SYS_ADD_RULE: Final = 445
_SYS_RESTRICT_SELF: Final = 446
_CREATE_RULESET_VERSION: Final = 1 << 0
_RULE_PATH_BENEATH: Final = 1

_FS_EXECUTE: Final = 1 << 0
_FS_WRITE_FILE: Final = 1 << 1
_FS_READ_FILE: Final = 1 << 2
_FS_READ_DIR: Final = 1 << 3
# ABI 1 handles bits 0-12; ABI 2 adds REFER (13); ABI 3 TRUNCATE (14); ABI 5 IOCTL_DEV (15).
_FS_BITS_BY_ABI: Final = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16}
_NET_BIND_TCP: Final = 1 << 0
_NET_CONNECT_TCP: Final = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET: Final = 1 << 0
_SCOPE_SIGNAL: Final = 1 << 1


class SandboxError(RuntimeError):
    """A confinement layer could not be applied."""


@dataclass(frozen=True)
class SandboxReport:
    """What :func:`confine` applied (shown on /healthz)."""

    seccomp: bool
    landlock_abi: int
    readable: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"seccomp": self.seccomp, "landlock_abi": self.landlock_abi, "readable": list(self.readable)}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    libc = _libc()
    abi = libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return int(abi) if abi > 0 else 0


def _code_paths() -> list[Path]:
    """Where Python reads code from: the interpreter's prefixes and the import path (not the cwd)."""
    found: list[Path] = []
    for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path}:
        if not p:
            continue
        path = Path(p).resolve()
        if path == Path.cwd().resolve() or not path.is_dir():
            continue
        found.append(path)
    return found


def _no_new_privs(libc: ctypes.CDLL) -> None:
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")


def _landlock(libc: ctypes.CDLL, abi: int, readable: Iterable[Path]) -> None:
    fs_bits = _FS_BITS_BY_ABI.get(abi, 16)
    handled_fs = (1 << fs_bits) - 1
    attr = _RulesetAttr(handled_fs, 0, 0)
    size = ctypes.sizeof(ctypes.c_uint64)  # ABI 1-3: handled_access_fs only
    if abi >= 4:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP
        size = 2 * ctypes.sizeof(ctypes.c_uint64)
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size = ctypes.sizeof(_RulesetAttr)
    fd = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        raise SandboxError(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    try:
        for path in readable:
            try:
                parent = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                allowed = _FS_READ_FILE | _FS_READ_DIR
                rule = _PathBeneathAttr(allowed if path.is_dir() else _FS_READ_FILE, parent)
                added = libc.syscall(
                    _SYS_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule), 0
                )
                if added:
                    raise SandboxError(f"landlock_add_rule({path}) failed: {os.strerror(ctypes.get_errno())}")
            finally:
                os.close(parent)
        if libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            raise SandboxError(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


def _seccomp_filter() -> Any:
    """The filter, built before Landlock closes the file system (pyseccomp looks for libc and
    libseccomp when imported)."""
    try:
        import pyseccomp

        flt = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
        denied = pyseccomp.ERRNO(errno.EACCES)
        for call in ("socket", "socketpair", "execve", "execveat"):
            flt.add_rule(denied, call)
    except Exception as exc:  # libseccomp.so.2 missing
        raise SandboxError(f"seccomp is unavailable: {exc}") from exc
    return flt


def _load(flt: Any) -> None:
    try:
        flt.load()
    except Exception as exc:
        raise SandboxError(f"loading the seccomp filter failed: {exc}") from exc


def confine(readable: Iterable[Path | str] = ()) -> SandboxReport:
    """Confine this process for good (threads it starts later inherit it); see the module doc."""
    data = [Path(p).resolve() for p in readable]
    flt = _seccomp_filter()
    libc = _libc()
    _no_new_privs(libc)
    abi = landlock_abi()
    if abi < 1:
        raise SandboxError("Landlock is not available in this kernel")
    _landlock(libc, abi, data + _code_paths())
    _load(flt)
    return SandboxReport(seccomp=True, landlock_abi=abi, readable=tuple(str(p) for p in data))
