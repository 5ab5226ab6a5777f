"""Who may write: named bearer tokens with roles (writer, admin). Reads stay public.

Tokens come from ``REGKG_TOKENS_FILE`` (TOML, one ``[[token]]`` table per token: ``name``,
``role`` = "writer" or "admin", ``sha256`` = the hex SHA-256 of the bearer token -- the token
itself is never stored) and from ``REGKG_WRITE_TOKEN`` (comma-separated, each a writer named
``write-token-N``). A presented token is hashed and compared with every known hash in constant
time. 401 without a valid token; 403 when the token's role may not do what was asked.
"""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from regkg.config import Settings
from regkg.errors import ApiError

__all__ = ["ADMIN", "WRITER", "Principal", "authenticate", "load_tokens", "require"]

Role = Literal["writer", "admin"]
WRITER: Final = "writer"
ADMIN: Final = "admin"
_CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="regkg"'}


@dataclass(frozen=True)
class Principal:
    """A token holder: the token's name (recorded with every change it makes) and its role."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass(frozen=True)
class _Known:
    name: str
    role: Role
    digest: bytes


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def load_tokens(settings: Settings) -> list[_Known]:
    """Every token the settings name; raises ValueError for a malformed tokens file."""
    known = [_Known(f"write-token-{i + 1}", "writer", _hash(t)) for i, t in enumerate(settings.write_tokens)]
    if settings.tokens_file:
        path = Path(settings.tokens_file)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"REGKG_TOKENS_FILE {path}: {exc}") from exc
        for i, entry in enumerate(data.get("token", [])):
            name, role, digest = entry.get("name"), entry.get("role"), entry.get("sha256", "")
            if not name or role not in {"writer", "admin"}:
                raise ValueError(f"REGKG_TOKENS_FILE {path}: token {i + 1} needs a name and a role writer|admin")
            try:
                raw = bytes.fromhex(digest)
            except ValueError:
                raw = b""
            if len(raw) != 32:
                raise ValueError(f"REGKG_TOKENS_FILE {path}: token {name!r} needs sha256 = 64 hex digits")
            known.append(_Known(str(name), role, raw))
    return known


def authenticate(authorization: str | None, known: list[_Known]) -> Principal:
    """The principal a request's Authorization header names; ApiError 401 otherwise."""
    if not known:
        raise ApiError(
            401, "unauthorized", "writes are disabled: no REGKG_WRITE_TOKEN or REGKG_TOKENS_FILE", headers=_CHALLENGE
        )
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token> to write", headers=_CHALLENGE)
    digest = _hash(token.strip())
    found = None
    for k in known:  # every comparison runs, whichever matches
        if hmac.compare_digest(digest, k.digest) and found is None:
            found = k
    if found is None:
        raise ApiError(401, "unauthorized", "the bearer token is not valid", headers=_CHALLENGE)
    return Principal(found.name, found.role)


def require(principal: Principal, role: Role, what: str) -> None:
    if role == ADMIN and not principal.is_admin:
        raise ApiError(403, "forbidden", f"{what} needs an admin token; {principal.name!r} is a {principal.role}")
