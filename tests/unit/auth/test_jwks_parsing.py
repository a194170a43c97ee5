"""Which JWKs are usable, and with which single algorithm."""

from __future__ import annotations

from typing import Any

import pytest

from my_flow_api.auth.jwks import KeySetError, StaticKeySet, key_algorithm, parse_jwks
from my_flow_api.errors import AuthenticationError
from tests.support.jwks_server import make_signing_key

EC_P256 = make_signing_key("ES256", publish_alg=False).public_jwk
EC_P384 = make_signing_key("ES384", publish_alg=False).public_jwk
RSA = make_signing_key("RS256", publish_alg=False).public_jwk


@pytest.mark.parametrize(
    ("jwk", "expected"),
    [
        (EC_P384, "ES384"),
        (EC_P256, "ES256"),
        (RSA, "RS256"),
        ({**RSA, "alg": "PS256"}, "PS256"),
        ({**EC_P384, "alg": "ES384"}, "ES384"),
    ],
)
def test_algorithm_comes_from_the_key(jwk: dict[str, Any], expected: str) -> None:
    assert key_algorithm(jwk) == expected


@pytest.mark.parametrize(
    "jwk",
    [
        {**EC_P256, "alg": "ES384"},  # curve and alg disagree
        {**EC_P384, "alg": "HS256"},
        {**RSA, "alg": "ES256"},
        {**RSA, "alg": "HS256"},
        {**RSA, "alg": "none"},
        {key: v for key, v in EC_P256.items() if key != "crv"},
        {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
        {"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "ed"},
    ],
)
def test_unsupported_keys_are_refused(jwk: dict[str, Any]) -> None:
    with pytest.raises(KeySetError):
        key_algorithm(jwk)


def test_parse_keeps_usable_signing_keys_only() -> None:
    document = {
        "keys": [
            EC_P384,
            {**EC_P256, "use": "enc"},
            {**RSA, "kid": ""},
            {**EC_P256, "kid": "broken", "x": "!!"},
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            "not a key",
        ]
    }
    keys = parse_jwks(document)
    assert list(keys) == [EC_P384["kid"]]
    assert keys[EC_P384["kid"]].algorithm_name == "ES384"


@pytest.mark.parametrize(
    "document", [None, [], {"keys": {}}, {"keys": []}, {"keys": [RSA | {"use": "enc"}]}]
)
def test_parse_refuses_documents_without_usable_keys(document: object) -> None:
    with pytest.raises(KeySetError):
        parse_jwks(document)


async def test_static_keyset() -> None:
    keyset = StaticKeySet(parse_jwks({"keys": [RSA]}))
    assert (await keyset.get_key(RSA["kid"])).algorithm_name == "RS256"
    with pytest.raises(AuthenticationError):
        await keyset.get_key("ghost")
    await keyset.aclose()
