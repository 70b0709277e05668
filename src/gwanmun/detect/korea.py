"""Korean identifiers (shared/spec/identifiers.md §3.1).  [pure]

Registered: ``kr_resident`` (KR_RRN, KR_ARN, KR_CRN told apart), ``kr_passport``,
``kr_driver_license``, ``kr_brn``, ``kr_health_insurance``, ``kr_bank_account``,
``kr_vehicle_plate``.

Scores: a passing checksum with a valid date ~0.97; valid date and gender digit
but no checksum (numbers issued since October 2020 are random) 0.8; partly
masked forms 0.8; context words raise a score, their absence keeps context-gated
kinds (health insurance, bank accounts) from being reported at all.
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
    any_of,
    make,
    matches_at_starts,
    near,
)
from gwanmun.types import Finding

_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000,
            "8": 2000, "9": 1800, "0": 1800}  # fmt: skip
_RRN_WORDS = ("주민등록", "주민번호", "생년월일", "RRN", "resident", "住民")
_ARN_WORDS = ("외국인등록", "외국인 등록", "alien", "ARN", "外国人")
_CRN_WORDS = ("법인등록", "법인번호", "등기", "법인")
_PERSON_WORDS = (*_RRN_WORDS, *_ARN_WORDS)
_KR_WORDS = (*_PERSON_WORDS, *_CRN_WORDS, "등록번호")
# Words that name 13 bare digits as something else (a Japanese corporate
# number, an order or tracking number).
_NOT_RESIDENT = (
    "法人",
    "会社",
    "corporate",
    "注文",
    "order",
    "伝票",
    "追跡",
    "tracking",
    "송장",
    "주문",
)


def _date_ok(yymmdd: str, gender: str) -> bool:
    year = _CENTURY[gender] + int(yymmdd[:2])
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month]:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return not (month == 2 and day == 29 and not leap)


def _weighted(d12: str) -> int:
    return sum(int(a) * b for a, b in zip(d12, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))


def rrn_checksum_ok(d13: str) -> bool:
    return (11 - _weighted(d13[:12]) % 11) % 10 == int(d13[12])


def arn_checksum_ok(d13: str) -> bool:
    legacy = (13 - _weighted(d13[:12]) % 11) % 10 == int(d13[12])
    return legacy or rrn_checksum_ok(d13)


def crn_checksum_ok(d13: str) -> bool:
    total = sum(int(a) * b for a, b in zip(d13[:12], (1, 2) * 6, strict=True))
    return (10 - total % 10) % 10 == int(d13[12])


def brn_checksum_ok(d10: str) -> bool:
    total = sum(int(d10[i]) * k for i, k in enumerate((1, 3, 7, 1, 3, 7, 1, 3)))
    x = int(d10[8]) * 5
    return (10 - (total + x + x // 10) % 10) % 10 == int(d10[9])


class KoreanResidentNumbers:
    """13-digit numbers: resident (KR_RRN), alien (KR_ARN) and corporate (KR_CRN)."""

    trigger = EDGE_BEFORE + r"[0-9]{6}[ .\-]{0,3}[0-9]"
    context = CONTEXT_REACH
    id = "kr_resident"
    kinds = ("KR_RRN", "KR_ARN", "KR_CRN")
    starts = DIGIT_RUN
    pattern = re.compile(
        NO_DIGIT_BEFORE
        + r"(?P<front>\d{6})(?P<sep>[ ]?-[ ]?|[ .]?)(?P<g>\d)"
        + r"(?P<tail>\d{6}|[0-9]{0,5}[*xX●○#]{1,6})"
        + NO_DIGIT_AFTER
    )

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        for m in matches_at_starts(self.pattern, text):
            front, gender, tail = m.group("front"), m.group("g"), m.group("tail")
            if len(tail) != 6:
                continue
            masked = not tail.isdigit()
            date_ok = _date_ok(front, gender)
            digits13 = front + gender + tail
            separated = bool(m.group("sep"))
            kind, score = None, 0.0
            if masked:
                if date_ok:
                    kind, score = ("KR_ARN" if gender in "5678" else "KR_RRN"), 0.8
            else:
                corporate = crn_checksum_ok(digits13)
                corp_context = near(text, m.start(), m.end(), _CRN_WORDS)
                # 법인 대표자 주민등록번호 …: a person's number named as one wins over a
                # corporate word nearby (the more sensitive reading), however far
                # within reach each is.
                personal = date_ok and near(text, m.start(), m.end(), _PERSON_WORDS, CONTEXT_REACH)
                if corporate and (corp_context or not date_ok) and not personal:
                    kind, score = "KR_CRN", 0.95 if corp_context else 0.85
                elif date_ok and gender in "5678":
                    kind = "KR_ARN"
                    score = 0.97 if arn_checksum_ok(digits13) else 0.8
                    if near(text, m.start(), m.end(), _ARN_WORDS, CONTEXT_REACH):
                        score += 0.1
                elif date_ok:
                    kind = "KR_RRN"
                    score = 0.97 if rrn_checksum_ok(digits13) else 0.8
                    if near(text, m.start(), m.end(), _RRN_WORDS, CONTEXT_REACH):
                        score += 0.1
                if not separated and not near(text, m.start(), m.end(), _KR_WORDS, CONTEXT_REACH):
                    # 13 bare digits are also a Japanese corporate number, an order
                    # number...: without Korean context only a number that is a
                    # resident number by itself — a real date and a passing check
                    # digit (one random number in ~30 has both) — and that nothing
                    # near names as something else.
                    checked = kind == "KR_RRN" and rrn_checksum_ok(digits13)
                    checked |= kind == "KR_ARN" and arn_checksum_ok(digits13)
                    other = near(text, m.start(), m.end(), _NOT_RESIDENT)
                    kind, score = (kind, 0.85) if checked and not other else (None, 0.0)
            if kind is not None:
                found.append(make(kind, m.start(), m.end(), score, self.id))
        return found


class KoreanPassport(PatternDetector):
    trigger = r"[MSRODmsrod][0-9](?:[ .\-]?[0-9]){2}"
    context = 24
    id = "kr_passport"
    kind = "KR_PASSPORT"
    pattern = re.compile(
        # Digits may be grouped (M123 4567 8, M12-345-678): any one separator between them.
        r"(?<![A-Za-z0-9])(?P<value>[MSROD]\d(?:(?:[ .\-]?\d){7}"
        r"|(?:[ .\-]?\d){2}[ .\-]?[A-Z][ .\-]?\d(?:[ .\-]?\d){3}))(?![A-Za-z0-9])(?![ .\-]\d)",
        re.IGNORECASE | re.ASCII,  # ASCII case folding only, as the trigger's
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        value = match.group("value")
        if near(text, match.start(), match.end(), ("여권", "passport", "旅券", "パスポート")):
            return 0.95
        if not value.isupper():
            return None  # typed in lower case (m12345678): a passport only where named one
        return 0.75 if any(c.isalpha() for c in value[1:]) else 0.6


_REGION_NAMES = "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산"


class KoreanDriverLicense(PatternDetector):
    trigger = r"[0-9]{2}[- ]?[0-9]{6}[- ]?[0-9]{2}" + EDGE_AFTER
    context = 24
    id = "kr_driver_license"
    kind = "KR_DRIVER_LICENSE"
    pattern = re.compile(
        NO_DIGIT_BEFORE
        + r"(?P<value>(?:(?P<code>1[1-9]|2[0-6]|28)(?P<s1>[- ]?)|(?P<name>"
        + _REGION_NAMES
        + r")[ ]?)\d{2}(?P<s2>[- ]?)\d{6}(?P<s3>[- ]?)\d{2})"
        + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        context = near(text, match.start(), match.end(), ("면허", "운전", "license", "免許"))
        if match.group("name"):
            return 0.95
        dashed = match.group("s1") == "-" and match.group("s2") == "-" and match.group("s3") == "-"
        if dashed:
            return 0.97 if context else 0.85
        return 0.85 if context else None


class KoreanBusinessNumber(PatternDetector):
    trigger = EDGE_BEFORE + r"[0-9]{3}[-. ]?[0-9]{2}[-. ]?[0-9]{5}" + EDGE_AFTER
    context = 24
    id = "kr_brn"
    kind = "KR_BRN"
    starts = DIGIT_RUN
    pattern = re.compile(NO_DIGIT_BEFORE + r"(?P<value>\d{3}([-. ]?)\d{2}\2\d{5})" + NO_DIGIT_AFTER)

    def score(self, match: re.Match[str], text: str) -> float | None:
        d = re.sub(r"\D", "", match.group("value"))
        context = near(text, match.start(), match.end(), ("사업자", "business", "등록번호"))
        if not brn_checksum_ok(d):
            return None
        if match.group(2) in ("-", "."):
            return 0.97 if context else 0.9
        return 0.9 if context else None


class KoreanHealthInsurance(PatternDetector):
    trigger = EDGE_BEFORE + r"(?:[0-9]{11}|[0-9]-[0-9]{10}|[0-9]{4}-[0-9]{7})" + EDGE_AFTER
    context = 30
    id = "kr_health_insurance"
    kind = "KR_HEALTH_INSURANCE"
    starts = DIGIT_RUN
    pattern = re.compile(
        NO_DIGIT_BEFORE + r"(?P<value>\d{11}|\d{1}-\d{10}|\d{4}-\d{7})" + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        words = ("건강보험", "보험증", "증번호", "의료보험", "건보")
        return 0.85 if near(text, match.start(), match.end(), words, window=30) else None


_BANK_WORDS = (
    "은행", "계좌", "입금", "예금주", "송금", "이체", "통장", "뱅크", "농협", "국민", "신한",
    "우리", "하나", "기업", "카카오", "토스", "새마을", "우체국", "수협", "신협", "account",
)  # fmt: skip


# Bank names that are also ordinary words (국민 citizens, 우리 we, 하나 one, 기업
# company): they name the bank only right before the number (국민 123456-01-…),
# not anywhere near it (국민신문고 신청번호 2024-0115-123456).
_AMBIGUOUS_BANKS = ("국민", "우리", "하나", "기업")
_PLAIN_BANK_WORDS = tuple(w for w in _BANK_WORDS if w not in _AMBIGUOUS_BANKS)
_NOT_AN_ACCOUNT = re.compile(r"01[016789]-?\d{3,4}-?\d{4}|\d{6}-\d{7}")


class KoreanBankAccount(PatternDetector):
    # Where a value of 10 or more digits starts: dashed with a second group of
    # three or more, or of two and then enough after it — dates (2024-01-15) do
    # not open a window — or ten digits in a row.
    trigger = EDGE_BEFORE + (
        r"(?:[0-9]{2,6}-(?:[0-9]{3}|[0-9]{2}-(?:[0-9]{3}|[0-9]{2}-[0-9]))"
        r"|[0-9]{6}-[0-9]{2}-[0-9]{2}|[0-9]{10})"
    )
    context = 20
    id = "kr_bank_account"
    kind = "BANK_ACCOUNT"
    starts = DIGIT_RUN
    pattern = re.compile(
        NO_DIGIT_BEFORE + r"(?P<value>\d{2,6}(?:-\d{2,7}){1,3}|\d{10,14})" + NO_DIGIT_AFTER
    )

    def detect(self, text: str) -> list[Finding]:
        if any_of(_BANK_WORDS).search(text.lower()) is None:
            return []  # an account is reported only with one of these near it
        return super().detect(text)

    def score(self, match: re.Match[str], text: str) -> float | None:
        value = match.group("value")
        if not 10 <= sum(c.isdigit() for c in value) <= 14:
            return None
        if _NOT_AN_ACCOUNT.fullmatch(value):
            return None  # phone and resident-number shapes are other detectors' business
        if near(text, match.start(), match.end(), _PLAIN_BANK_WORDS, window=20):
            return 0.85
        before = text[max(0, match.start() - 4) : match.start()].rstrip(" :：")
        return 0.85 if before.endswith(_AMBIGUOUS_BANKS) else None


_PLATE_HANGUL = (
    "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자배하허호육해공국합"
)


class KoreanVehiclePlate(PatternDetector):
    trigger = r"[0-9] ?[가-힣] ?[0-9]{4}" + EDGE_AFTER
    context = 24
    id = "kr_vehicle_plate"
    kind = "KR_VEHICLE_PLATE"
    pattern = re.compile(
        r"(?<![0-9가-힣])(?P<value>(?:(?:"
        + _REGION_NAMES
        + r")[ ]?\d{1,2}|\d{2,3})[ ]?["
        + _PLATE_HANGUL
        + r"][ ]?\d{4})"
        + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        words = ("차량", "번호판", "차번호", "자동차", "plate", "車")
        return 0.95 if near(text, match.start(), match.end(), words) else 0.8


for _detector in (
    KoreanResidentNumbers(),
    KoreanPassport(),
    KoreanDriverLicense(),
    KoreanBusinessNumber(),
    KoreanHealthInsurance(),
    KoreanBankAccount(),
    KoreanVehiclePlate(),
):
    REGISTRY.register(_detector)
