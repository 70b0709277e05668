"""Japanese identifiers (shared/spec/identifiers.md §3.2).  [pure]

Registered: ``jp_my_number``, ``jp_corporate_number``, ``jp_passport``,
``jp_driver_license``, ``jp_health_insurance``, ``jp_residence_card``,
``jp_pension_number``. Japanese text has no spaces, so values glued to kana
or kanji match; digits or Latin letters glued to them do not.
"""

from __future__ import annotations

import re

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import (
    CONTEXT_REACH,
    DIGIT_RUN,
    EDGE_AFTER,
    EDGE_BEFORE,
    NO_DIGIT_AFTER,
    NO_DIGIT_BEFORE,
    PatternDetector,
    make,
    near,
)
from gwanmun.types import Finding


def my_number_ok(d12: str) -> bool:
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    r = sum(int(a) * b for a, b in zip(d12[:11], weights, strict=True)) % 11
    return (0 if r <= 1 else 11 - r) == int(d12[11])


def corporate_number_ok(d13: str) -> bool:
    base = d13[1:]
    total = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(reversed(base)))
    return 9 - total % 9 == int(d13[0])


def insurer_number_ok(d8: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(d8[:-1])):
        p = int(c) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return (10 - total % 10) % 10 == int(d8[-1])


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# Without a My Number word, twelve digits that pass the check digit (one number
# in eleven does) near these words are something else.
_NOT_MY_NUMBER = (
    "免許",
    "license",
    "licence",
    "運送",
    "伝票",
    "追跡",
    "送り状",
    "tracking",
    "운송장",
    "송장",
    "택배",
    "배송",
)
_PHONE_WORDS = ("電話", "phone", "전화", "연락처")
_MY_NUMBER_WORDS = ("マイナンバー", "個人番号", "my number", "마이넘버")


class MyNumber(PatternDetector):
    trigger = EDGE_BEFORE + r"[0-9]{4}[-. ]?[0-9]{4}[-. ]?[0-9]{4}" + EDGE_AFTER
    context = CONTEXT_REACH
    id = "jp_my_number"
    kind = "JP_MY_NUMBER"
    starts = DIGIT_RUN
    pattern = re.compile(NO_DIGIT_BEFORE + r"(?P<value>\d{4}([-. ]?)\d{4}\2\d{4})" + NO_DIGIT_AFTER)

    def score(self, match: re.Match[str], text: str) -> float | None:
        # A word naming a My Number anywhere within reach wins over a nearer one
        # naming something else (電話 … マイナンバー); a phone word only speaks
        # against a number that could be a phone number (a trunk 0).
        value = _digits(match.group("value"))
        context = near(text, match.start(), match.end(), _MY_NUMBER_WORDS, CONTEXT_REACH)
        if not context and (
            text[match.start() - 1 : match.start()] == "+"  # +821078876232: a phone number
            or near(text, match.start(), match.end(), _NOT_MY_NUMBER)
            or (value.startswith("0") and near(text, match.start(), match.end(), _PHONE_WORDS))
        ):
            return None  # a licence, phone or tracking number that happens to check out
        if my_number_ok(value):
            return 0.99 if context else 0.9
        return 0.6 if context else None


class CorporateNumber(PatternDetector):
    trigger = EDGE_BEFORE + r"(?:[0-9]{13}|[0-9]-[0-9]{4}-[0-9]{4}-[0-9]{4})" + EDGE_AFTER
    context = 24
    id = "jp_corporate_number"
    kind = "JP_CORPORATE_NUMBER"
    starts = DIGIT_RUN
    pattern = re.compile(
        NO_DIGIT_BEFORE + r"(?P<value>\d{13}|\d-\d{4}-\d{4}-\d{4})" + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        if not corporate_number_ok(_digits(match.group("value"))):
            return None
        return 0.97 if near(text, match.start(), match.end(), ("法人番号", "法人")) else 0.7


class JapanesePassport(PatternDetector):
    trigger = r"[A-Z]{2}[0-9](?:[ .\-]?[0-9]){2}"
    context = 24
    id = "jp_passport"
    kind = "JP_PASSPORT"
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?P<value>[A-Z]{2}\d(?:[ .\-]?\d){6})(?![A-Za-z0-9])(?![ .\-]\d)"
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        words = ("旅券", "パスポート", "passport", "여권")
        return 0.95 if near(text, match.start(), match.end(), words) else 0.65


class JapaneseDriverLicense(PatternDetector):
    trigger = r"[0-9]{12}"
    context = 24
    id = "jp_driver_license"
    kind = "JP_DRIVER_LICENSE"
    starts = DIGIT_RUN
    pattern = re.compile(NO_DIGIT_BEFORE + r"(?P<value>(?:[1-8]\d|9[0-7])\d{10})" + NO_DIGIT_AFTER)

    def score(self, match: re.Match[str], text: str) -> float | None:
        words = ("免許", "運転", "driver", "license", "licence")
        return 0.9 if near(text, match.start(), match.end(), words) else None


class JapaneseHealthInsurance(PatternDetector):
    trigger = r"記号|" + EDGE_BEFORE + r"(?:[0-9]{6}|[0-9]{8})" + EDGE_AFTER
    context = 40
    id = "jp_health_insurance"
    kind = "JP_HEALTH_INSURANCE"
    pattern = re.compile(
        r"(?P<value>記号[ ]?[:：]?[ ]?[0-9A-Za-z\-\u3040-\u30ff\u4e00-\u9fff]{1,8}[ ]?[・,、]?[ ]?"
        r"番号[ ]?[:：]?[ ]?\d{1,8}(?:[ ]?[(（]?枝番[ ]?[:：]?[ ]?\d{2}[)）]?)?)"
        r"|" + NO_DIGIT_BEFORE + r"(?P<insurer>\d{8}|\d{6})" + NO_DIGIT_AFTER
    )
    _words = ("保険者番号", "保険証", "被保険者", "健康保険", "国民健康保険", "資格確認")

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        if not any(word in text for word in self._words):
            return found  # every finding needs one of them near it
        for m in self.pattern.finditer(text):
            if m.group("value"):
                if near(text, m.start(), m.end(), self._words, window=40):
                    found.append(make(self.kind, m.start(), m.end(), 0.95, self.id))
                continue
            number = m.group("insurer")
            if not near(text, m.start(), m.end(), self._words, window=20):
                continue
            if len(number) == 8 and insurer_number_ok(number):
                found.append(make(self.kind, m.start(), m.end(), 0.95, self.id))
            elif len(number) == 6:
                found.append(make(self.kind, m.start(), m.end(), 0.8, self.id))
        return found


class ResidenceCard(PatternDetector):
    trigger = r"[A-Z]{2}[0-9]{8}"
    context = 24
    id = "jp_residence_card"
    kind = "JP_RESIDENCE_CARD"
    pattern = re.compile(r"(?<![A-Za-z0-9])(?P<value>[A-Z]{2}\d{8}[A-Z]{2})(?![A-Za-z0-9])")

    def score(self, match: re.Match[str], text: str) -> float | None:
        words = ("在留", "residence card", "외국인")
        return 0.97 if near(text, match.start(), match.end(), words) else 0.85


class PensionNumber(PatternDetector):
    trigger = EDGE_BEFORE + r"[0-9]{4}-?[0-9]{6}" + EDGE_AFTER
    context = 24
    id = "jp_pension_number"
    kind = "JP_PENSION_NUMBER"
    starts = DIGIT_RUN
    pattern = re.compile(NO_DIGIT_BEFORE + r"(?P<value>\d{4}-?\d{6})" + NO_DIGIT_AFTER)

    def score(self, match: re.Match[str], text: str) -> float | None:
        return 0.9 if near(text, match.start(), match.end(), ("年金", "pension")) else None


for _detector in (
    MyNumber(),
    CorporateNumber(),
    JapanesePassport(),
    JapaneseDriverLicense(),
    JapaneseHealthInsurance(),
    ResidenceCard(),
    PensionNumber(),
):
    REGISTRY.register(_detector)
