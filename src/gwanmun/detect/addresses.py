"""Postal addresses: Korean road-name and lot-number forms, Japanese 都道府県 forms.  [pure]

Registered as ``addresses`` (kind ADDRESS). An address needs an administrative
unit (시·군·구, or a prefecture) followed by a road or neighbourhood and a
number; a bare city name is not an address.
"""

from __future__ import annotations

import re

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import PatternDetector, make
from gwanmun.types import Finding

_KR_PROVINCE = (
    "서울특별시|부산광역시|대구광역시|인천광역시|광주광역시|대전광역시|울산광역시|세종특별자치시|"
    "경기도|강원특별자치도|강원도|충청북도|충청남도|전북특별자치도|전라북도|전라남도|경상북도|경상남도|"
    "제주특별자치도|서울시|부산시|대구시|인천시|광주시|대전시|울산시|세종시|제주도|"
    "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
)
_KR_UNIT = r"(?:[가-힣]{1,6}(?:시|군|구)[ ]?){1,3}"
_KR_TAIL = r"(?:[ ]?,?[ ]?(?:지하[ ]?)?\d{1,3}층)?(?:[ ]?\d{1,5}호)?(?:[ ]?\([가-힣0-9, ]{1,30}\))?"
_KR_ROAD = (
    r"(?P<value>(?:(?:" + _KR_PROVINCE + r")[ ]?)?" + _KR_UNIT
    + r"(?:[가-힣]{1,5}(?:읍|면)[ ]?)?[가-힣0-9]{1,12}(?:대로|로|길)[ ]?\d{1,5}(?:-\d{1,4})?"
    # 종로1가, 을지로2가 … are neighbourhoods (lot-number form), not road 1
    + r"(?!\d|가[ ]?(?:산[ ]?)?\d)" + _KR_TAIL + r")"
)  # fmt: skip
_KR_LOT = (
    r"(?P<lot>(?:(?:" + _KR_PROVINCE + r")[ ]?)?" + _KR_UNIT
    + r"(?:[가-힣]{1,5}(?:읍|면)[ ]?)?[가-힣0-9]{1,8}(?:동|리|가)[ ]?(?:산[ ]?)?"
    + r"\d{1,5}(?:-\d{1,5})?(?:번지)?" + _KR_TAIL + r")"
)  # fmt: skip

_JP_PREF = (
    "北海道|東京都|大阪府|京都府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|"
    "富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|"
    "香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県"
)
_KANJI_NUM = "[0-9一二三四五六七八九十〇]+"
_JP = (
    r"(?P<jp>(?:" + _JP_PREF + r")[^\s、。,，「」]{1,20}?(?:市|区|町|村|郡)[^\s、。,，「」]{0,20}?"
    + r"(?:\d{1,4}(?:-\d{1,4}){1,3}|" + _KANJI_NUM + r"丁目(?:" + _KANJI_NUM + r"番地?)?(?:"
    + _KANJI_NUM + r"号)?|" + _KANJI_NUM + r"番地?(?:" + _KANJI_NUM + r"号)?)"
    + r"(?:[ ]?[^\s、。,，]{1,20}?\d{1,4}(?:号室|階))?)"
)  # fmt: skip


# What every address contains (see gwanmun.detect.TriggerIndex: only windows
# around these are read): in Korean, the last 시·군·구 of its unit, then the
# road (…로, …길, …대로) or neighbourhood (…동, …리, …가) and its number — the
# same bounds as the patterns above, so "…으로 3년" in prose does not open a
# window; in Japanese, the prefecture, its 市区町村 and the start of a number.
_ANCHOR = (
    r"[시군구] ?(?:[가-힣]{1,5}[읍면] ?)?(?:[가-힣0-9]{1,13}[로길] ?[0-9]"
    + r"|[가-힣0-9]{1,8}[동리가] ?(?:산 ?)?[0-9])|(?:" + _JP_PREF
    + r")[^\s、。,，「」]{1,20}[市区町村郡][^\s、。,，「」]{0,20}[0-9一二三四五六七八九十〇]"
)  # fmt: skip


class Addresses(PatternDetector):
    trigger = _ANCHOR
    id = "addresses"
    kind = "ADDRESS"
    pattern = re.compile(_KR_ROAD + "|" + _KR_LOT + "|" + _JP)

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        for m in self.pattern.finditer(text):
            group = next(g for g in ("value", "lot", "jp") if m.group(g))
            start, end = m.start(group), m.end(group)
            found.append(make(self.kind, start, end, 0.9, self.id))
        return found


REGISTRY.register(Addresses())
