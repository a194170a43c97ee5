"""Authentication: bearer JWTs from Logto or the local signing key, and the caller they name."""
