"""One catalogue of kinds, and detectors and checks found by id like plugins.

Every kind a detector or check emits needs a label in ko/ja/en, a rule in the
default policy and a row in docs/policy.md; a third-party detector installed
as a package is loaded through the ``gwanmun.detectors`` entry-point group
when a policy names it, and masks its kind end to end."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.backends import Router
from gwanmun.check import CHECK_REGISTRY
from gwanmun.errors import ConfigError
from gwanmun.gateway import Gateway
from gwanmun.guard.factory import input_guard_for, output_guard_for
from gwanmun.guard.input import blocked_error
from gwanmun.kinds import catalogue
from gwanmun.policy import check_kinds, load_policy, parse_policy
from gwanmun.types import Stage
from gwanmun.web.i18n import KIND_NAMES
from tests.test_guard_input import answer, chat

ROOT = Path(__file__).resolve().parent.parent


def documented_kinds() -> set[str]:
    """Kinds with a row in docs/policy.md's "Kinds" table (first column)."""
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    section = text.split("\n## Kinds\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {kind for cell in rows for kind in re.findall(r"`([A-Z_]+)`", cell)}


def test_every_kind_has_a_label_a_default_rule_and_a_docs_row() -> None:
    kinds = catalogue()
    default_rules = load_policy().data.kinds
    documented = documented_kinds()
    missing = {
        "label in web/i18n.py KIND_NAMES (ko, ja, en)": [
            k for k in kinds if not all(KIND_NAMES.get(k, ("", "", "")))
        ],
        "rule in data/default_policy.yaml": [k for k in kinds if k not in default_rules],
        "row in docs/policy.md (Kinds)": [k for k in kinds if k not in documented],
    }
    assert not any(missing.values()), {what: ks for what, ks in missing.items() if ks}
    # And nothing is labelled, ruled or documented that no detector or check emits.
    assert set(KIND_NAMES) <= set(kinds)
    assert set(default_rules) <= set(kinds)
    assert documented <= set(kinds)


def test_checks_declare_the_kinds_their_modules_emit() -> None:
    from gwanmun.check import injection, toxicity

    specs = {spec.id: spec for spec in CHECK_REGISTRY.select()}
    assert specs["toxicity"].kinds == toxicity.LABELS
    assert specs["injection"].kinds == (injection.KIND,)
    assert catalogue()["PROMPT_INJECTION"].stage is Stage.INPUT
    assert catalogue()["VERBATIM"].stage is Stage.OUTPUT
    assert catalogue()["PHONE"].stage is Stage.BOTH


def test_an_unknown_check_or_detector_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown check 'toxic'; known: .*toxicity"):
        parse_policy("version: 1\noutput: {checks: [toxic]}\n", "inline")
    with pytest.raises(ConfigError, match=r"does not run on input; input checks: injection"):
        parse_policy("version: 1\noutput: {input_checks: [verbatim]}\n", "inline")
    with pytest.raises(ConfigError, match=r"unknown detector 'nope'; known: .*person_names"):
        input_guard_for(parse_policy("version: 1\ndetectors: [nope]\n", "inline"))


PLUGIN = '''
import re

from gwanmun.types import Finding


class StaffIdDetector:
    """Staff numbers of one institution: EMP- and six digits."""

    id = "demo_staff_id"
    kinds = ("DEMO_STAFF_ID",)

    def detect(self, text):
        return [
            Finding("DEMO_STAFF_ID", m.start(), m.end(), 0.9, self.id)
            for m in re.finditer(r"EMP-[0-9]{6}", text)
        ]
'''


@pytest.fixture
def plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin package as pip would leave it: the module and a dist-info whose
    entry_points.txt declares the detector (importlib.metadata reads sys.path)."""
    (tmp_path / "gwanmun_demo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp_path / "gwanmun_demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: gwanmun-demo-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[gwanmun.detectors]\ndemo_staff_id = gwanmun_demo_plugin:StaffIdDetector\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))


POLICY_NAMING_IT = textwrap.dedent(
    """\
    version: 1
    detectors: [demo_staff_id]
    kinds:
      DEMO_STAFF_ID: {action: mask, grade: S}
    """
)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_plugin_detector_masks_its_kind_end_to_end(
    plugin_installed: None, stream: bool
) -> None:
    policy = parse_policy(POLICY_NAMING_IT, "inline")
    guard = input_guard_for(policy)
    assert "demo_staff_id" in [d.id for d in guard.detectors]
    assert "DEMO_STAFF_ID" in catalogue(policy) and check_kinds(policy, []) == []

    def gateway(backend: FakeBackend) -> Gateway:
        return Gateway(
            router=Router([backend]),
            input_guard=guard,
            output_guard=output_guard_for(policy, guard),
            audit=MemoryAuditSink(),
            blocked_error=blocked_error,
        )

    # On the way in: the model sees a placeholder; the user gets the value back.
    echo = FakeBackend()
    got = await answer(gateway(echo), chat("My number is EMP-123456.", stream=stream))
    assert got == "My number is EMP-123456."
    sent = echo.seen[0].messages[0].content
    assert "EMP-123456" not in sent and "[DEMO_STAFF_ID_1]" in sent
    # On the way out: a number the user did not write is masked in the answer.
    leaky = FakeBackend(answer="Ask EMP-654321 instead.")
    got = await answer(gateway(leaky), chat("Whom should I ask?", stream=stream))
    assert got == "Ask [DEMO_STAFF_ID] instead."
