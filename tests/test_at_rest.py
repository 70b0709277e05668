"""Stored user text passes the input guard: a template, a bundle's templates,
a user or group name with what the policy masks or blocks is refused with a
400 naming the kind and the field — never the value — and nothing is stored."""

from __future__ import annotations

import json

import httpx

from tests.test_bad_inputs import Rig, rig  # noqa: F401 - the fixture

RRN = "900101-1234567"
PHONE = "010-1234-5678"


def test_a_template_with_a_resident_number_and_a_phone_is_not_stored(rig: Rig) -> None:  # noqa: F811
    template = {
        "title": "민원 회신",
        "category": "민원",
        "body": f"홍길동({RRN}) 님께 {PHONE}로 회신합니다. {{{{내용}}}}".replace("내용", "text"),
        "variables": [{"name": "text", "label": "내용"}],
    }
    refused = httpx.post(rig.base + "/templates", json=template, headers=rig.user, timeout=60)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert "KR_RRN in body at characters" in error["message"] and error["param"] == "body"
    assert RRN not in refused.text and PHONE not in refused.text
    listed = httpx.get(rig.base + "/templates", headers=rig.user, timeout=60).json()["data"]
    assert "민원 회신" not in json.dumps(listed, ensure_ascii=False)
    clean = {**template, "body": "{{text}} 에 대해 회신합니다."}
    assert httpx.post(rig.base + "/templates", json=clean, headers=rig.user).status_code == 201
    label = {**clean, "variables": [{"name": "text", "label": f"연락처 {PHONE}"}]}
    refused_label = httpx.post(rig.base + "/templates", json=label, headers=rig.user)
    assert refused_label.status_code == 400 and "variables[0].label" in refused_label.text


def test_user_and_group_names_pass_the_guard(rig: Rig) -> None:  # noqa: F811
    made = httpx.post(
        rig.base + "/admin/users",
        json={"name": "g.lee", "group": f"총무과 {RRN}"},
        headers=rig.admin,
    )
    assert made.status_code == 400 and "KR_RRN in group" in made.text and RRN not in made.text
    named = httpx.post(rig.base + "/admin/users", json={"name": RRN}, headers=rig.admin)
    assert named.status_code == 400 and RRN not in named.text
    patched = httpx.patch(
        rig.base + "/admin/users/tester", json={"group": f"tel {PHONE}"}, headers=rig.admin
    )
    assert patched.status_code == 400 and PHONE not in patched.text
