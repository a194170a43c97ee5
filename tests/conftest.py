"""Shared fixtures; backend-specific ones live in tests/support and are loaded here."""

pytest_plugins: list[str] = [
    "tests.support.app",
    "tests.support.postgres",
    "tests.support.mongo",
    "tests.support.redis",
]
