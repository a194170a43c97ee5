"""A real JWKS HTTP server on 127.0.0.1 and real signing keys, for auth tests.

Usage in a test module:

    @pytest.fixture
    def jwks_server() -> Iterator[JwksServer]:
        with running_jwks_server([make_signing_key("ES384")]) as server:
            yield server

`server.endpoint` plays `LOGTO_ENDPOINT` (the keys are served at `/oidc/jwks`),
`server.issuer` is the matching issuer, and `key.sign(claims)` makes tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

JWKS_PATH = "/oidc/jwks"
RESOURCE = "https://api.my-flow.test"


@dataclass(frozen=True)
class SigningKey:
    """A private key with its `kid`, algorithm and public JWK."""

    kid: str
    alg: str
    private_key: PrivateKeyTypes
    public_jwk: dict[str, Any]

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A token signed by this key; `header` overrides/extends the JOSE header (a value
        of None removes the entry, e.g. `kid=None`)."""
        headers = {name: v for name, v in {"kid": self.kid, **header}.items() if v is not None}
        return jwt.encode(claims, self.private_key, algorithm=self.alg, headers=headers)  # type: ignore[arg-type]


def make_signing_key(alg: str, kid: str | None = None, *, publish_alg: bool = True) -> SigningKey:
    """A fresh ES256, ES384 or RS256 key; `publish_alg=False` leaves `alg` out of the JWK."""
    private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1()}[alg]
        private = ec.generate_private_key(curve)
        jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    kid = kid or f"{alg.lower()}-{time.monotonic_ns()}"
    jwk = {**jwk, "kid": kid, "use": "sig", **({"alg": alg} if publish_alg else {})}
    return SigningKey(kid=kid, alg=alg, private_key=private, public_jwk=jwk)


def claims_for(
    issuer: str, audience: str = RESOURCE, sub: Any = "user-1", **extra: Any
) -> dict[str, Any]:
    """Valid claims (1 h lifetime); `extra` overrides, and a value of None removes a claim."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": sub,
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(extra)
    return {name: value for name, value in claims.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_token(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A compact JWS with any header and claims and the given (raw) signature bytes."""
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    return f"{head}.{_b64(signature)}"


def hs256_forgery(key: SigningKey, claims: dict[str, Any]) -> str:
    """The classic key-confusion attack: HS256 with the public key's PEM as the secret."""
    public = key.private_key.public_key()
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    unsigned = forge_token({"alg": "HS256", "typ": "JWT", "kid": key.kid}, claims)[:-1]
    signature = hmac.new(pem, unsigned.encode(), hashlib.sha256).digest()
    return unsigned + _b64(signature)


def swap_payload(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload replaced by `claims`, keeping header and signature."""
    head, _, signature = token.split(".")
    return f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"


def tamper_signature(token: str) -> str:
    """`token` with one character of its signature changed."""
    head, payload, signature = token.split(".")
    flipped = "A" if signature[20] != "A" else "B"
    return f"{head}.{payload}.{signature[:20]}{flipped}{signature[21:]}"


@dataclass
class JwksServer:
    """State of the running server; change `document`, `body`, `status` or `delay` at
    any time (`body`, when set, is sent verbatim instead of `document`)."""

    endpoint: str = ""
    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    body: bytes | None = None
    status: int = 200
    delay: float = 0.0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def issuer(self) -> str:
        """The issuer Logto would use for this endpoint."""
        return f"{self.endpoint}/oidc"

    @property
    def jwks_url(self) -> str:
        """Where the key set is served."""
        return f"{self.endpoint}{JWKS_PATH}"

    def publish(self, keys: Sequence[SigningKey]) -> None:
        """Serve exactly these public keys."""
        self.document = {"keys": [key.public_jwk for key in keys]}

    def stop(self) -> None:
        """Shut the server down (connections are refused from now on); idempotent."""
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is not None and thread is not None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def _count(self) -> None:
        with self._lock:
            self.requests += 1


def _handler(state: JwksServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != JWKS_PATH:
                self.send_error(404)
                return
            state._count()
            time.sleep(state.delay)
            body = state.body if state.body is not None else json.dumps(state.document).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


@contextmanager
def running_jwks_server(keys: Sequence[SigningKey] = ()) -> Iterator[JwksServer]:
    """Serve `keys` at `http://127.0.0.1:<free port>/oidc/jwks` until the block ends."""
    state = JwksServer()
    state.publish(keys)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="jwks-server", daemon=True
    )
    state._server, state._thread = server, thread
    thread.start()
    try:
        yield state
    finally:
        state.stop()
