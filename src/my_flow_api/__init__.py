"""my-flow API: chat with an assistant inside your contexts; flows are extracted automatically."""

__version__ = "0.1.0"
