"""The repository contract suite: written once against `Store`, run on every backend."""
