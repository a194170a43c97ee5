"""Local mode: the service's own EC P-384 signing key and the tokens it mints.

The private key lives as PEM in `DATA_DIR/local_signing_key.pem` (mode 0600), created
atomically on first use. Its public half is served to the verifier as a one-key JWKS, so
local tokens pass through exactly the same verification code as Logto's.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import secrets
import stat
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from my_flow_api.config import ConfigError, Settings

# stdlib logging on purpose: `my-flow token` prints the token on stdout, and structlog's
# unconfigured default would print there too. Once logging is configured, these records
# go through the same structlog formatter as everything else.
log = logging.getLogger(__name__)

KEY_FILENAME = "local_signing_key.pem"
ALGORITHM = "ES384"
_COORDINATE_BYTES = 48  # P-384


@dataclass(frozen=True)
class LocalSigningKey:
    """The private key, its RFC 7638 thumbprint (`kid`) and its public JWK."""

    private_key: ec.EllipticCurvePrivateKey
    kid: str
    public_jwk: dict[str, str]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The JWK members of a P-384 public key (`kty`, `crv`, `x`, `y`)."""
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-384",
        "x": _b64url(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": _b64url(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
    }


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 SHA-256 thumbprint of an EC public JWK."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def _write_new_key(path: Path) -> None:
    """Write a fresh key next to `path` and link it into place; an existing file wins."""
    pem = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("created local signing key at %s", path)


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("local signing key %s is readable by others; chmod 600 it", path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"DATA_DIR: {path} is not a readable PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp384r1":
        raise ConfigError(f"DATA_DIR: {path} is not an EC P-384 private key")
    return key


def load_local_signing_key(data_dir: Path) -> LocalSigningKey:
    """Load the local signing key from `data_dir`, creating it on first use."""
    path = data_dir / KEY_FILENAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _write_new_key(path)
    private_key = _read_key(path)
    jwk = public_jwk(private_key.public_key())
    return LocalSigningKey(private_key=private_key, kid=jwk_thumbprint(jwk), public_jwk=jwk)


def local_jwks(key: LocalSigningKey) -> dict[str, Any]:
    """A JWKS document holding only the public half of `key`."""
    return {"keys": [{**key.public_jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}]}


def mint_local_token(
    settings: Settings,
    user_id: str,
    scopes: Iterable[str] = (),
    ttl_seconds: int = 3600,
) -> str:
    """Sign a local-mode access token for `user_id` (ES384, `scope` space-separated)."""
    if not settings.local_auth:
        raise ConfigError("LOGTO_ENDPOINT: tokens come from Logto, not from this service")
    if not user_id.strip():
        raise ValueError("user_id must not be empty")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    key = load_local_signing_key(settings.DATA_DIR)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.LOCAL_ISSUER,
        "aud": settings.LOCAL_AUDIENCE,
        "sub": user_id,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    scope = " ".join(dict.fromkeys(part for raw in scopes for part in raw.split()))
    if scope:
        claims["scope"] = scope
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
