"""The one JSON-body helper: the 400s every route gives a malformed body."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from gwanmun.errors import InvalidRequest
from gwanmun.web.bodies import parse, parse_json


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stars: int = 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The request body is empty; send a JSON object."),
        (b"\xff{}", "The request body is not valid UTF-8."),
        (b"{not json", "The request body is not valid JSON: "),
    ],
)
def test_malformed_bodies_are_named(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_json(raw)
    assert caught.value.message.startswith(message)


def test_an_empty_body_may_stand_for_an_empty_object() -> None:
    assert parse_json(b"", allow_empty=True) == {}
    assert parse(Body, parse_json(b"", allow_empty=True)) == Body()
    with pytest.raises(InvalidRequest) as caught:
        parse(Body, {"stars": 3, "colour": "red"})
    assert caught.value.param == "colour"
