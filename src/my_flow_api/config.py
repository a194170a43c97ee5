"""Settings read from the environment (and `.env`), validated once at start-up."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ConfigError(RuntimeError):
    """A missing or invalid setting; the message names the variable."""


GGUF_MAGIC = b"GGUF"


def gguf_problem(path: Path) -> str | None:
    """Why `path` cannot be a GGUF model file, or None when it starts like one.

    Only the 4-byte magic is read: llama.cpp would otherwise fail later, on the first
    request, with a far less helpful message.
    """
    if not path.exists():
        return f"{path} does not exist"
    if not path.is_file():
        return f"{path} is not a file"
    try:
        with path.open("rb") as file:
            magic = file.read(len(GGUF_MAGIC))
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror})"
    return None if magic == GGUF_MAGIC else f"{path} is not a GGUF model file"


class AIProvider(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


class DisconnectPolicy(StrEnum):
    CONTINUE = "continue"
    CANCEL = "cancel"


class LogFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


class Settings(BaseSettings):
    """Every setting of the service; names are the contract's environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", case_sensitive=True, extra="ignore"
    )

    AI_PROVIDER: AIProvider = AIProvider.LOCAL
    OPENAI_API_KEY: SecretStr | None = None
    OPENAI_BASE_URL: str | None = None
    OPENAI_MODEL: str = "gpt-4.1-mini"
    ANTHROPIC_API_KEY: SecretStr | None = None
    ANTHROPIC_BASE_URL: str | None = None
    ANTHROPIC_MODEL: str = "claude-haiku-4-5"
    AI_TIMEOUT_SECONDS: float = Field(default=60.0, gt=0)
    AI_IDLE_TIMEOUT_SECONDS: float = Field(default=20.0, gt=0)
    AI_MAX_OUTPUT_TOKENS: int = Field(default=1024, ge=16, le=32_000)
    LOCAL_MODEL_PATH: Path | None = None
    LOCAL_MAX_OUTPUT_TOKENS: int = Field(default=160, ge=16, le=4096)
    FLOW_EXTRACTOR: Literal["auto", "rules", "model"] = "auto"

    DATA_DIR: Path = Path("data")
    DATABASE_URL: str | None = None
    MONGODB_URI: SecretStr | None = None
    MONGODB_DB_NAME: str = "my_flow"
    REDIS_URL: SecretStr | None = None
    REDIS_KEY_PREFIX: str = "myflow:"

    LOGTO_ENDPOINT: str | None = None
    LOGTO_RESOURCE: str | None = None
    LOGTO_APP_ID: str | None = None  # the chat page's Logto SPA app (sign-in with PKCE)
    AUTH_REQUIRED_SCOPES: Annotated[list[str], NoDecode] = Field(default_factory=list)
    AUTH_LEEWAY_SECONDS: int = Field(default=30, ge=0, le=300)
    LOCAL_ISSUER: str = "my-flow-local"
    LOCAL_AUDIENCE: str = "my-flow-api"
    LOCAL_AUTH_ALLOW_REMOTE: bool = False
    FORWARDED_ALLOW_IPS: str = ""

    STREAM_FIRST_TOKEN_WAIT_SECONDS: float = Field(default=5.0, ge=0, le=60)
    STREAM_RETENTION_SECONDS: float = Field(default=600.0, ge=0)
    STREAM_RETENTION_MAX_BYTES: int = Field(default=64 * 1024 * 1024, ge=0)
    STREAM_ON_DISCONNECT: DisconnectPolicy = DisconnectPolicy.CONTINUE
    STREAM_MAX_DURATION_SECONDS: float = Field(default=300.0, gt=0)
    STREAM_MAX_PER_USER: int = Field(default=3, ge=1)
    STREAM_MAX_STARTING: int = Field(default=64, ge=1)
    STREAM_START_WAIT_SECONDS: float = Field(default=1.0, ge=0, le=60)
    STREAM_CHECKPOINT_SECONDS: float = Field(default=1.0, ge=0, le=60)
    SSE_PING_SECONDS: float = Field(default=15.0, gt=0)
    SHUTDOWN_GRACE_SECONDS: float = Field(default=5.0, ge=0)
    MAX_CHAT_CHARS: int = Field(default=120_000, ge=1)

    MAX_BODY_BYTES: int = Field(default=1_048_576, ge=1024)
    LOG_FORMAT: LogFormat = LogFormat.AUTO
    LOG_LEVEL: str = "INFO"

    @model_validator(mode="before")
    @classmethod
    def _split_scopes(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("AUTH_REQUIRED_SCOPES"), str):
            raw = data["AUTH_REQUIRED_SCOPES"].replace(",", " ")
            data = {**data, "AUTH_REQUIRED_SCOPES": raw.split()}
        return data

    @field_validator("LOCAL_MODEL_PATH", mode="before")
    @classmethod
    def _expand_model_path(cls, value: object) -> object:
        # `LOCAL_MODEL_PATH=` in .env means unset, and no shell expands `~` in .env files.
        if isinstance(value, str):
            return Path(value).expanduser() if value.strip() else None
        return value

    @field_validator("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
    @classmethod
    def _fit_for_a_header(cls, value: SecretStr | None) -> SecretStr | None:
        # A key travels as an HTTP header value, where a line break (often the trailing
        # newline of a file the key was read from) would make a malformed request.
        if value is not None and any(
            ord(c) < 0x20 or c == "\x7f" for c in value.get_secret_value()
        ):
            raise ValueError(
                "contains a line break or another control character, which an HTTP header"
                " cannot carry (a trailing newline?)"
            )
        return value

    def provider_key(self) -> SecretStr | None:
        """The key `AI_PROVIDER` sends upstream (None for `local`, or when it is missing)."""
        if self.AI_PROVIDER is AIProvider.OPENAI:
            return self.OPENAI_API_KEY
        if self.AI_PROVIDER is AIProvider.ANTHROPIC:
            return self.ANTHROPIC_API_KEY
        return None

    def key_problem(self) -> str | None:
        """The one rule for provider keys: a hosted provider needs its key."""
        if self.AI_PROVIDER is AIProvider.LOCAL or self.provider_key() is not None:
            return None
        name = self.AI_PROVIDER.value
        return f"{name.upper()}_API_KEY is required when AI_PROVIDER={name}"

    @model_validator(mode="after")
    def _check_combinations(self) -> Self:
        if problem := self.key_problem():
            raise ValueError(problem)
        local_path = self.LOCAL_MODEL_PATH if self.AI_PROVIDER is AIProvider.LOCAL else None
        if local_path and (problem := gguf_problem(local_path)):
            raise ValueError(f"LOCAL_MODEL_PATH: {problem}")
        if bool(self.LOGTO_ENDPOINT) != bool(self.LOGTO_RESOURCE):
            raise ValueError("LOGTO_ENDPOINT and LOGTO_RESOURCE must be set together")
        if self.DATABASE_URL and not self.DATABASE_URL.startswith(
            ("sqlite+aiosqlite://", "postgresql+asyncpg://")
        ):
            raise ValueError(
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return self

    @property
    def local_auth(self) -> bool:
        """True when tokens are minted and verified locally instead of by Logto."""
        return not self.LOGTO_ENDPOINT

    @property
    def database_url(self) -> str:
        """The SQL URL, defaulting to an SQLite file in the data folder."""
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite+aiosqlite:///{(self.DATA_DIR / 'my_flow.db').as_posix()}"

    @property
    def uses_embedded_database(self) -> bool:
        """True for SQLite, whose schema is migrated automatically at start-up."""
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "invalid configuration: " + "; ".join(parts)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()
