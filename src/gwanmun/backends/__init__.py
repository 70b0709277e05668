"""Backends by name, and the router that picks one by requested model name."""

from __future__ import annotations

from gwanmun.backends.base import Backend
from gwanmun.errors import ConfigError, ModelNotFound


class Router:
    """Maps each served model name to exactly one backend."""

    def __init__(self, backends: list[Backend]) -> None:
        self.backends = list(backends)
        self._by_model: dict[str, Backend] = {}
        for backend in self.backends:
            for model in backend.models():
                if model in self._by_model:
                    other = self._by_model[model].name
                    raise ConfigError(
                        f"model {model!r} is served by both {other!r} and {backend.name!r}; "
                        "give each model name to one backend"
                    )
                self._by_model[model] = backend

    def resolve(self, model: str) -> Backend:
        try:
            return self._by_model[model]
        except KeyError:
            known = ", ".join(sorted(self._by_model)) or "(none configured)"
            # Not echoed: a name nobody serves is whatever the client typed.
            raise ModelNotFound(
                f"That model does not exist here. Available models: {known}", param="model"
            ) from None

    def models(self) -> list[tuple[str, Backend]]:
        return sorted(self._by_model.items())

    async def start(self) -> None:
        for backend in self.backends:
            await backend.start()

    async def close(self) -> None:
        for backend in self.backends:
            await backend.close()


__all__ = ["Backend", "Router"]
