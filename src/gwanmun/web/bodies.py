"""Request bodies at the trust boundary: JSON bytes → a value → a pydantic model.

One place words the 400s a malformed body gets, for the chat route and every
other route alike.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from gwanmun.errors import InvalidRequest
from gwanmun.web.jsonvalues import MAX_DEPTH, check_value
from gwanmun.web.schemas import validation_message

M = TypeVar("M", bound=BaseModel)


def parse_json(raw: bytes, *, allow_empty: bool = False) -> Any:
    """``raw`` as JSON, or a 400 that says what is wrong with it: not UTF-8,
    not JSON, nested deeper than ``MAX_DEPTH``, or a lone surrogate anywhere.

    An empty body is an error unless ``allow_empty``, when it reads as ``{}``
    (routes whose fields all have defaults may be called without one).
    """
    if not raw:
        if allow_empty:
            return {}
        raise InvalidRequest("The request body is empty; send a JSON object.")
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise InvalidRequest("The request body is not valid UTF-8.") from None
    except ValueError as exc:
        raise InvalidRequest(f"The request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidRequest(
            f"The request body is nested too deeply (the limit is {MAX_DEPTH} levels)."
        ) from None
    check_value(value)
    return value


async def json_body(request: Request, *, allow_empty: bool = False) -> Any:
    return parse_json(await request.body(), allow_empty=allow_empty)


def parse(model: type[M], body: Any) -> M:
    """``body`` as ``model``, or a 400 naming the first field that is wrong."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        message, param = validation_message(exc)
        raise InvalidRequest(message, param=param) from None


async def read_body(request: Request, model: type[M]) -> M:
    """The request's JSON body as ``model``; an empty body is ``{}``."""
    return parse(model, await json_body(request, allow_empty=True))
