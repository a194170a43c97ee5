"""Providers over HTTPS: a CA trusted through SSL_CERT_FILE or SSL_CERT_DIR works; a
certificate nobody trusts is a TLS error that says so and is not retried."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from my_flow_api.config import Settings
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.errors import AITLSError
from my_flow_api.services.ai.service import AIService
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.services.support import FAST_RETRY, Fake, collect, settings_for, texts
from tests.support.app import Api, make_settings
from tests.support.tls import TestCA, make_ca

pytestmark = pytest.mark.integration

HELLO = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return make_ca(tmp_path)


@pytest.fixture
def hashed_ca_dir(ca: TestCA, tmp_path: Path) -> Path:
    """A folder holding the CA under its subject-hash name, as OpenSSL looks it up."""
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(ca.cert_file, certs / "ca.pem")
    subprocess.run(["openssl", "rehash", str(certs)], check=True, capture_output=True)
    return certs


@pytest.fixture
def no_ca_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


class Handshakes:
    """Counts the TLS handshakes a server context sees (each ClientHello with SNI)."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.count = 0
        context.sni_callback = self._seen

    def _seen(self, _sock: object, _name: str | None, _ctx: ssl.SSLContext) -> None:
        self.count += 1


@pytest.fixture(params=["openai", "anthropic"])
def tls_fake(request: pytest.FixtureRequest, ca: TestCA, tmp_path: Path) -> Iterator[Fake]:
    fake: Fake = FakeOpenAI() if request.param == "openai" else FakeAnthropic()
    fake.ssl_context = ca.server_context(tmp_path)
    with fake:
        yield fake


def _service(fake: Fake) -> AIService:
    return AIService.from_settings(settings_for(fake), retry=FAST_RETRY)


async def _hello(service: AIService) -> list[str]:
    try:
        ask = [Message(role=MessageRole.USER, content="Hello")]
        return texts(await collect(service.stream_chat(ask, "ctx")))
    finally:
        await service.aclose()


async def test_a_ca_named_by_ssl_cert_file_is_trusted(
    tls_fake: Fake, ca: TestCA, no_ca_variables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_file))
    assert tls_fake.base_url.startswith("https://")
    assert "".join(await _hello(_service(tls_fake))) == "Hello, world!"


async def test_a_ca_in_ssl_cert_dir_is_trusted(
    tls_fake: Fake, hashed_ca_dir: Path, no_ca_variables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed_ca_dir))
    assert "".join(await _hello(_service(tls_fake))) == "Hello, world!"


async def test_an_untrusted_certificate_is_a_tls_error_logged_as_such_and_not_retried(
    tls_fake: Fake, no_ca_variables: None
) -> None:
    assert tls_fake.ssl_context is not None
    handshakes = Handshakes(tls_fake.ssl_context)
    service = _service(tls_fake)
    with capture_logs() as logs, pytest.raises(AITLSError) as caught:
        await _hello(service)
    assert caught.value.code == "provider_tls_error"
    assert caught.value.status_code == 502
    assert "certificate" in caught.value.message
    assert handshakes.count == 1
    assert tls_fake.requests == []
    [line] = [e for e in logs if "TLS certificate verification failed" in e["event"]]
    assert line["log_level"] == "error"
    assert line["host"] == "localhost"
    assert "certificate" in line["reason"]
    assert tls_fake.settings_overrides().get("OPENAI_API_KEY", "-") not in str(logs)
    assert tls_fake.settings_overrides().get("ANTHROPIC_API_KEY", "-") not in str(logs)


@pytest.fixture
def tls_openai(ca: TestCA, tmp_path: Path) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    fake.ssl_context = ca.server_context(tmp_path)
    with fake:
        yield fake


@pytest.fixture
def api_settings(tmp_path: Path, tls_openai: FakeOpenAI, no_ca_variables: None) -> Settings:
    return make_settings(tmp_path, **tls_openai.settings_overrides())


async def test_the_endpoint_answers_502_provider_tls_error(api: Api) -> None:
    alice = api.client("alice")
    created = await alice.post("/api/v1/contexts", json={"name": "Work"})
    body = {"context_id": created.json()["id"], "messages": HELLO}
    response = await alice.post("/api/v1/conversations/stream", json=body)
    assert response.status_code == 502
    assert response.json() == {
        "detail": "The openai provider's TLS certificate could not be verified",
        "code": "provider_tls_error",
    }
