"""Contact, payment and network data, in any of the three languages.  [pure]

Registered: ``phone`` (KR, JP and international numbers validated with
``phonenumbers``), ``email``, ``credit_card`` (Luhn; partly masked forms),
``iban`` (mod 97), ``postal_code`` (JP 〒NNN-NNNN; KR five digits only with
context), ``ip_address`` (IPv4/IPv6 validated with ``ipaddress``).
``InternalHostDetector`` is built from the policy's internal domains and
networks and is not registered globally.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import phonenumbers

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import (
    DIGIT_RUN,
    EDGE_AFTER,
    EDGE_BEFORE,
    NO_DIGIT_AFTER,
    NO_DIGIT_BEFORE,
    PatternDetector,
    luhn_ok,
    make,
    near,
)
from gwanmun.types import Finding

_PHONE_WORDS = (
    "전화",
    "연락",
    "휴대",
    "핸드폰",
    "폰",
    "電話",
    "携帯",
    "連絡",
    "tel",
    "phone",
    "mobile",
)


class Phone(PatternDetector):
    # Where a reported value starts: a country code, or a trunk 0 (``score``
    # drops the rest) after what the pattern's lookbehind allows.
    trigger = r"\+[0-9]|(?:^|[^0-9A-Za-z+\-])\(?0[0-9 )\-]"
    # A match begins at a sign, a bracket or a digit, never after a letter or digit.
    starts = re.compile(r"[\d+(][0-9]*")
    context = 24
    id = "phone"
    kind = "PHONE"
    pattern = re.compile(
        # 010-1234-5678, 010.1234.5678, 03(1234)5678, 090（1234）5678, +82 10 …
        r"(?<![0-9A-Za-z+\-])(?P<value>(?:\+\d{1,3}[ -]?(?:\(0\)[ ]?)?)?\(?0?\d{1,4}\)?[ .-]?"
        r"\(?\d{2,4}\)?[ .-]?\d{3,4})" + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        value = match.group("value")
        digits = re.sub(r"\D", "", value)
        if not 9 <= len(digits) <= 15:
            return None
        if value.startswith("+"):
            regions: tuple[str | None, ...] = (None,)
        elif value.startswith("0") or value.startswith("(0"):
            regions = ("KR", "JP")
        else:
            return None  # local numbers always start with a trunk 0
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None  # an ISO date
        groups = re.findall(r"\d+", value)
        if len(groups) > 1 and (set(groups[-1]) == {"0"} or len(set("".join(groups[1:]))) == 1):
            return None  # an obvious placeholder: 010-0000-0000, 010-1111-1111 (spec)
        for region in regions:
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                context = near(text, match.start(), match.end(), _PHONE_WORDS)
                return 0.97 if context else 0.9
        return None


# An e-mail address spelled out: "at" and "dot" as words (hong (at) example
# (dot) com, hong 골뱅이 example 점 com, hong アットマーク example ドット jp).
_AT_WORDS = r"(?i:at)|골뱅이|앳|(?:アットマーク|アット|あっとまーく|あっと)"
_DOT_WORDS = r"(?i:dot)|점|쩜|닷|(?:ドット|どっと)"
_BRACKETED = r"[ ]?[(\[{<][ ]?(?:WORDS)[ ]?[)\]}>][ ]?"
# Set apart by brackets, or a word only Korean or Japanese writes for "@".
_AT_SPELLED = (
    _BRACKETED.replace("WORDS", _AT_WORDS)
    + r"|[ ]?(?:골뱅이|앳|アットマーク|アット|あっとまーく)[ ]?"
)
_DOT_SPELLED = _BRACKETED.replace("WORDS", _DOT_WORDS) + r"|[ ]?(?:점|쩜|닷|ドット|どっと)[ ]?"
# "@" and "." themselves with spaces around them (hong @ example . com).
_AT_SPACED = r"[ ]{1,2}@[ ]{0,2}|[ ]{0,2}@[ ]{1,2}"
_DOT_SPACED = r"[ ]{1,2}\.[ ]{0,2}|[ ]{0,2}\.[ ]{1,2}"
# The bare English words (" at ", " dot ") only together: "met at google.com"
# is a place, "look at this dot product" no address (its end is no domain).
_AT_WORD = r"[ ](?i:at)[ ]"
_DOT_WORD = r"[ ](?i:dot)[ ]"
# A label's characters and those between labels are disjoint: no two ways to
# split a run, so no backtracking blow-up on a long near-miss.
_LABEL = r"[A-Za-z0-9][A-Za-z0-9-]*"
# Top-level domains a spelled-out address ends with: a word after "dot" in
# prose is rarely one of these.
_TLDS = (
    r"(?i:com|net|org|edu|gov|mil|int|info|biz|io|co|kr|jp|cn|tw|hk|uk|de|fr|us|ca|au|"
    r"me|ai|dev|app|ne|or|ac|go|re|pe)"
)


def _spelled_email(at: str, dot: str) -> re.Pattern[str]:
    """An address with ``at`` for "@" and ``dot`` (or ".") between its labels."""
    dots = f"(?:{dot}|[.])"
    return re.compile(
        rf"(?<![A-Za-z0-9._%+-])(?P<value>{_LABEL}(?:(?:{dot}|[._%+]){_LABEL})*(?:{at})"
        rf"{_LABEL}(?:{dots}{_LABEL})*{dots}{_TLDS})(?![A-Za-z0-9-])"
    )


class Email(PatternDetector):
    """An address with ``@``, or spelled out with "at" and "dot" words."""

    trigger = r"@|[(\[{<] ?(?i:at) ?[)\]}>]| (?i:at) |골뱅이|앳|アット|あっと"
    id = "email"
    kind = "EMAIL"
    pattern = re.compile(
        r"(?<![A-Za-z0-9._%+-])(?P<value>[A-Za-z0-9][A-Za-z0-9._%+-]*@"
        r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})(?![A-Za-z0-9])"
    )
    spelled = (
        _spelled_email(f"{_AT_SPELLED}|@", f"{_DOT_SPELLED}|{_DOT_WORD}"),
        _spelled_email(_AT_WORD, _DOT_WORD),
        _spelled_email(_AT_SPACED, _DOT_SPACED),
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        return 0.99

    def detect(self, text: str) -> list[Finding]:
        found = super().detect(text)
        for pattern in self.spelled:
            for m in pattern.finditer(text):
                start, end = m.span("value")
                if pattern is self.spelled[1] and not re.search(_DOT_WORD, m["value"]):
                    continue  # "met at google.com": a place
                if not any(f.start < end and start < f.end for f in found):
                    found.append(make(self.kind, start, end, 0.95, self.id))
        return found


class CreditCard(PatternDetector):
    trigger = EDGE_BEFORE + (  # 13 digits or more (a 12-digit My Number opens no window)
        r"(?:[0-9]{4}[-. ]?[0-9]{4}[-. ]?[0-9]{4}[-. ]?[0-9]|[0-9]{4}[- ]?[0-9]{6}[- ]?[0-9]"
        r"|[0-9]{4}[- ][0-9*xX]{2}[*xX]{2})"
    )
    context = 24
    id = "credit_card"
    kind = "CREDIT_CARD"
    starts = DIGIT_RUN
    pattern = re.compile(
        NO_DIGIT_BEFORE
        + r"(?P<value>\d{4}(?P<s>[-. ]?)\d{4}(?P=s)\d{4}(?P=s)\d{1,7}|\d{4}[- ]?\d{6}[- ]?\d{5}"
        r"|\d{4}[- ]\d{2}[*xX]{2}[- ][*xX]{4}[- ]\d{4}|\d{4}[- ][*xX]{4}[- ][*xX]{4}[- ]\d{4})"
        + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        value = match.group("value")
        if re.search(r"[*xX]", value):
            return 0.75
        digits = re.sub(r"\D", "", value)
        if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
            return None
        if len(set(digits)) == 1:
            return None
        words = ("카드", "card", "カード", "결제", "決済")
        context = near(text, match.start(), match.end(), words)
        if len(digits) == 13 and not context:
            return None  # 13 digits are a resident number's length; such cards are retired
        return 0.98 if context else 0.92


def iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    rotated = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rotated)
    return int(numeric) % 97 == 1


class Iban(PatternDetector):
    trigger = r"[A-Z]{2}[0-9]{2}"
    context = 0
    id = "iban"
    kind = "IBAN"
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?P<value>[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?)"
        r"(?![A-Za-z0-9])"
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        return 0.97 if iban_ok(match.group("value")) else None


class PostalCode(PatternDetector):
    trigger = EDGE_BEFORE + r"(?:[0-9]{3}-[0-9]{4}|[0-9]{5})" + EDGE_AFTER
    context = 24
    id = "postal_code"
    kind = "POSTAL_CODE"
    pattern = re.compile(
        r"(?P<mark>〒[ ]?)?" + NO_DIGIT_BEFORE + r"(?P<value>\d{3}-\d{4}|\d{5})" + NO_DIGIT_AFTER
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        value = match.group("value")
        if "-" in value:
            if match.group("mark"):
                return 0.95
            words = ("郵便番号", "住所", "postal", "zip")
            return 0.85 if near(text, match.start(), match.end(), words) else None
        kr_words = ("우편번호", "우)", "(우", "postal code", "zip")
        return 0.85 if near(text, match.start(), match.end(), kr_words, window=12) else None


class IpAddress(PatternDetector):
    trigger = r"[0-9]\.[0-9]{1,3}\.[0-9]|:[0-9A-Fa-f]{0,4}:"  # two dots: not 3.5
    # A match begins at a digit, a hex letter or a colon, never after a letter or digit.
    starts = re.compile(r"[\dA-Fa-f:][0-9]*")
    context = 12  # a version word before the number
    id = "ip_address"
    kind = "IP_ADDRESS"
    pattern = re.compile(
        r"(?<![0-9A-Za-z.:])(?P<value>\d{1,3}(?:\.\d{1,3}){3}"
        r"|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![0-9A-Za-z.:])"
    )

    def score(self, match: re.Match[str], text: str) -> float | None:
        value = match.group("value")
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None
        if address.version == 6 and value.count(":") < 2:
            return None
        before = text[max(0, match.start() - 12) : match.start()].lower().split()
        if before and before[-1].rstrip(".:") in ("v", "ver", "version", "버전", "バージョン"):
            return None  # a version number, not an address
        if address.is_unspecified:
            return None
        return 0.9


class InternalHostDetector:
    """Names of internal systems: host names under the institution's domains, and
    addresses inside its networks (configured in the policy, not registered)."""

    id = "internal_host"
    kinds = ("INTERNAL_HOST",)
    _host = re.compile(
        r"(?<![A-Za-z0-9.-])(?P<value>[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+)(?![A-Za-z0-9-])"
    )

    def __init__(self, domains: Sequence[str], networks: Sequence[str]) -> None:
        self._suffixes = tuple(d.lower().strip(".") for d in domains if d.strip("."))
        self._networks = [ipaddress.ip_network(n, strict=False) for n in networks]

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        for m in self._host.finditer(text):
            value = m.group("value").lower()
            try:
                address = ipaddress.ip_address(value)
            except ValueError:
                if any(value == s or value.endswith("." + s) for s in self._suffixes):
                    found.append(make("INTERNAL_HOST", m.start(), m.end(), 0.95, self.id))
                continue
            if any(address.version == n.version and address in n for n in self._networks):
                found.append(make("INTERNAL_HOST", m.start(), m.end(), 0.95, self.id))
        return found


for _detector in (Phone(), Email(), CreditCard(), Iban(), PostalCode(), IpAddress()):
    REGISTRY.register(_detector)
