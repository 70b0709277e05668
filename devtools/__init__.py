"""Development helpers shared by tests/ and bench/, so neither imports the other.

Not part of the shipped package (``src/gwanmun``): stand-in backends, a
throw-away PostgreSQL server, the generated evaluation set and how detections
are scored against the sets. Importable from the repository root (pytest puts
it on ``sys.path``; the scripts in bench/ add it themselves).
"""
