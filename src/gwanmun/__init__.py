"""Gwanmun (관문): a self-hosted generative-AI gateway for public institutions."""

__version__ = "0.1.0"
