"""Command-line interface: ``gwanmun serve | chat | models | keys``."""
