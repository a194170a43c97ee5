"""Local mode: the signing key file, minted tokens and their verification."""

from __future__ import annotations

import asyncio
import stat
import threading
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from my_flow_api.auth.local_keys import (
    KEY_FILENAME,
    jwk_thumbprint,
    load_local_signing_key,
    mint_local_token,
)
from my_flow_api.auth.verifier import build_token_verifier
from my_flow_api.config import ConfigError, Settings
from my_flow_api.errors import AuthenticationError


def local_settings(data_dir: Path, **extra: Any) -> Settings:
    return Settings(
        _env_file=None, LOGTO_ENDPOINT=None, LOGTO_RESOURCE=None, DATA_DIR=data_dir, **extra
    )


def test_key_file_is_created_once_with_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    first = load_local_signing_key(data_dir)
    path = data_dir / KEY_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem, mtime = path.read_bytes(), path.stat().st_mtime_ns
    second = load_local_signing_key(data_dir)
    assert second.kid == first.kid
    assert (path.read_bytes(), path.stat().st_mtime_ns) == (pem, mtime)
    assert b"PRIVATE KEY" in pem
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILENAME]  # no temp files left


def test_concurrent_first_use_agrees_on_one_key(tmp_path: Path) -> None:
    barrier, kids = threading.Barrier(8), []

    def load() -> None:
        barrier.wait()
        kids.append(load_local_signing_key(tmp_path).kid)

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(kids)) == 1
    assert len(kids) == 8


def test_kid_is_the_rfc7638_thumbprint(tmp_path: Path) -> None:
    key = load_local_signing_key(tmp_path)
    assert key.kid == jwk_thumbprint({**key.public_jwk, "kid": "ignored"})
    assert len(key.kid) == 43  # base64url of a SHA-256 digest
    assert "d" not in key.public_jwk


@pytest.mark.parametrize("content", ["garbage", "wrong curve"])
def test_unusable_key_file_is_a_config_error(tmp_path: Path, content: str) -> None:
    pem = b"not a key"
    if content == "wrong curve":
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    (tmp_path / KEY_FILENAME).write_bytes(pem)
    with pytest.raises(ConfigError, match="DATA_DIR"):
        load_local_signing_key(tmp_path)


async def test_minted_tokens_pass_the_verifier(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    token = mint_local_token(settings, "alice", scopes=["read:flows", "openid read:flows"])
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES384"
    assert header["kid"] == load_local_signing_key(tmp_path).kid
    verifier = build_token_verifier(settings)
    principal = await verifier.verify(token)
    await verifier.aclose()
    assert principal.user_id == "alice"
    assert principal.scopes == {"read:flows", "openid"}
    assert principal.claims["scope"] == "read:flows openid"
    assert principal.claims["iss"] == settings.LOCAL_ISSUER
    assert principal.claims["aud"] == settings.LOCAL_AUDIENCE


async def test_expired_minted_token_fails(tmp_path: Path) -> None:
    settings = local_settings(tmp_path, AUTH_LEEWAY_SECONDS=0)
    token = mint_local_token(settings, "alice", ttl_seconds=1)
    await asyncio.sleep(1.1)
    with pytest.raises(AuthenticationError, match="expired"):
        await build_token_verifier(settings).verify(token)


async def test_token_from_another_data_dir_fails(tmp_path: Path) -> None:
    token = mint_local_token(local_settings(tmp_path / "a"), "alice")
    with pytest.raises(AuthenticationError, match="unknown key"):
        await build_token_verifier(local_settings(tmp_path / "b")).verify(token)


@pytest.mark.parametrize(("user", "ttl"), [("", 60), ("  ", 60), ("alice", 0)])
def test_mint_refuses_bad_arguments(tmp_path: Path, user: str, ttl: int) -> None:
    with pytest.raises(ValueError, match="must"):
        mint_local_token(local_settings(tmp_path), user, ttl_seconds=ttl)


def test_mint_refuses_logto_mode(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, LOGTO_ENDPOINT="https://id.test", LOGTO_RESOURCE="r", DATA_DIR=tmp_path
    )
    with pytest.raises(ConfigError, match="LOGTO_ENDPOINT"):
        mint_local_token(settings, "alice")
    assert not (tmp_path / KEY_FILENAME).exists()
