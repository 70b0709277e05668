"""Shared prompt templates and the signed bundles institutions exchange them in."""
