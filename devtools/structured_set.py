"""Generate the labelled structured-identifier set kept in the tests.

    python devtools/structured_set.py            # rewrites tests/data/structured_set.jsonl
    python devtools/structured_set.py --check    # exit 1 if the committed file is stale

Structured identifiers have no public labelled corpus (it would itself be
personal data), so values are generated — valid per shared/spec/identifiers.md,
checksums computed — and placed in Korean, Japanese and English sentences in
every obfuscated form the guard must see through: full-width digits, spaced-out
digits, zero-width characters, glued particles, partly masked values. Negative
lines hold invalid look-alikes (failed checksums, impossible dates, dates,
prices, order numbers, version strings, ordinary words). Deterministic: a fixed
seed, so the file only changes when this script does.

Each line: {"id", "lang", "kind", "variant", "text", "spans": [{"kind", "start", "end"}]}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).parents[1] / "tests" / "data" / "structured_set.jsonl"
FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

SEED = 20261125
R = random.Random(SEED)


def _digits(n: int) -> str:
    return "".join(str(R.randrange(10)) for _ in range(n))


def _rrn_body(gender: str) -> str:
    year = R.randrange(50, 100) if gender in "1256" else R.randrange(0, 20)
    return f"{year:02d}{R.randrange(1, 13):02d}{R.randrange(1, 29):02d}" + gender


def _weighted(d12: str) -> int:
    return sum(int(a) * b for a, b in zip(d12, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))


def rrn() -> str:
    d = _rrn_body(R.choice("1234")) + _digits(5)
    return f"{d[:6]}-{d[6:]}{(11 - _weighted(d) % 11) % 10}"


def rrn_post2020() -> str:
    d = _rrn_body(R.choice("34")) + _digits(6)
    return f"{d[:6]}-{d[6:]}"


def arn() -> str:
    d = _rrn_body(R.choice("5678")) + _digits(5)
    return f"{d[:6]}-{d[6:]}{(13 - _weighted(d) % 11) % 10}"


def crn() -> str:
    # Registry office codes are not dates (month 00-99 patterns), as real ones mostly are not.
    d = (
        f"{R.randrange(11, 29)}{R.randrange(13, 99)}{R.randrange(10, 99)}{R.choice('0128')}"
        + _digits(5)
    )
    check = (10 - sum(int(a) * b for a, b in zip(d, (1, 2) * 6, strict=True)) % 10) % 10
    return f"{d[:6]}-{d[6:]}{check}"


def brn() -> str:
    d = f"{R.randrange(101, 999)}{R.choice(['01', '05', '81', '86', '88', '90'])}" + _digits(4)
    total = sum(int(d[i]) * k for i, k in enumerate((1, 3, 7, 1, 3, 7, 1, 3)))
    x = int(d[8]) * 5
    return f"{d[:3]}-{d[3:5]}-{d[5:]}{(10 - (total + x + x // 10) % 10) % 10}"


def my_number() -> str:
    d = _digits(11)
    r = sum(int(a) * b for a, b in zip(d, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    full = d + str(0 if r <= 1 else 11 - r)
    return f"{full[:4]} {full[4:8]} {full[8:]}"


def jp_corporate() -> str:
    base = _digits(12)
    total = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(reversed(base)))
    return f"{9 - total % 9}{base}"


def jp_insurer() -> str:
    body = R.choice(["01", "06", "31", "32", "34", "39"]) + _digits(5)
    total = 0
    for i, c in enumerate(reversed(body)):
        p = int(c) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return body + str((10 - total % 10) % 10)


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + _digits(length - len(prefix) - 1)
    for check in "0123456789":
        number = body + check
        total = 0
        for i, ch in enumerate(reversed(number)):
            v = int(ch) * (2 if i % 2 else 1)
            total += v - 9 if v > 9 else v
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def card() -> str:
    n = luhn_complete(R.choice(["4", "51", "55", "3528", "9410"]), 16)
    return "-".join(n[i : i + 4] for i in range(0, 16, 4))


def iban() -> str:
    bban = _digits(18)
    numeric = "".join(str(int(c, 36)) for c in bban + "DE00")
    check = 98 - int(numeric) % 97
    raw = f"DE{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def plate() -> str:
    return f"{R.randrange(10, 999)}{R.choice('가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호')}{_digits(4)}"


def _alnum(n: int) -> str:
    return "".join(
        R.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(n)
    )


# kind -> (value generator, {lang: [templates]}); {v} is the value, context words included.
KINDS: dict[str, tuple[Callable[[], str], dict[str, list[str]]]] = {
    "KR_RRN": (rrn, {
        "ko": ["주민등록번호는 {v}입니다.", "신청인 주민번호 {v}, 확인 바랍니다.", "{v}"],
        "ja": ["韓国の住民登録番号 {v} を確認"], "en": ["Resident registration number: {v}."]}),
    "KR_ARN": (arn, {"ko": ["외국인등록번호 {v} 소지자"], "en": ["Alien registration no. {v}"]}),
    "KR_PASSPORT": (lambda: R.choice("MSROD") + (_digits(8) if R.random() < .5 else _digits(3) + R.choice("ABCDEFGH") + _digits(4)),
                    {"ko": ["여권번호 {v} 재발급"], "en": ["passport {v} expired"], "ja": ["韓国旅券 {v}"]}),
    "KR_DRIVER_LICENSE": (lambda: f"{R.choice(['11', '12', '13', '28'])}-{_digits(2)}-{_digits(6)}-{_digits(2)}",
                          {"ko": ["운전면허번호 {v} 갱신"], "en": ["Korean driver licence {v}"]}),
    "KR_BRN": (brn, {"ko": ["사업자등록번호 {v} 조회"], "en": ["business registration {v}"]}),
    "KR_CRN": (crn, {"ko": ["법인등록번호 {v} 등기부"]}),
    "KR_HEALTH_INSURANCE": (lambda: _digits(11), {"ko": ["건강보험증 번호 {v} 제출"]}),
    "BANK_ACCOUNT": (lambda: f"{_digits(6)}-{_digits(2)}-{_digits(6)}",
                     {"ko": ["국민은행 계좌 {v}로 입금", "예금주 확인 계좌 {v}"]}),
    "KR_VEHICLE_PLATE": (plate, {"ko": ["차량번호 {v} 불법주차 신고"]}),
    "JP_MY_NUMBER": (my_number, {"ja": ["マイナンバーは{v}です。", "個人番号 {v} を記入"],
                                 "en": ["My Number {v}"], "ko": ["마이넘버 {v}"]}),
    "JP_CORPORATE_NUMBER": (jp_corporate, {"ja": ["法人番号{v}の会社"]}),
    "JP_PASSPORT": (lambda: R.choice(["TK", "TR", "MZ", "TZ"]) + _digits(7),
                    {"ja": ["旅券番号{v}を提示"], "en": ["Japanese passport {v}"]}),
    "JP_DRIVER_LICENSE": (lambda: R.choice(["30", "45", "62"]) + _digits(10),
                          {"ja": ["運転免許証番号{v}の更新"]}),
    "JP_HEALTH_INSURANCE": (jp_insurer, {"ja": ["保険者番号 {v} の保険証"]}),
    "JP_RESIDENCE_CARD": (lambda: "".join(R.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)) + _digits(8) + "".join(R.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)),
                          {"ja": ["在留カード番号{v}を確認"], "en": ["residence card {v}"]}),
    "JP_PENSION_NUMBER": (lambda: f"{_digits(4)}-{_digits(6)}", {"ja": ["基礎年金番号{v}のお知らせ"]}),
    # Subscriber numbers never start with 0 or 1 after the prefix (no such allocation).
    "PHONE": (lambda: R.choice([f"010-{R.randrange(2, 10)}{_digits(3)}-{_digits(4)}", f"090-{R.randrange(2, 10)}{_digits(3)}-{_digits(4)}",
                                f"02-{R.randrange(200, 999)}-{_digits(4)}", f"03-{_digits(4)}-{_digits(4)}"]),
              {"ko": ["연락처 {v}로 전화 주세요."], "ja": ["電話番号は{v}です。"], "en": ["Call me at {v}."]}),
    "EMAIL": (lambda: f"{_alnum(6).lower()}.{_alnum(4).lower()}@{R.choice(['seoul.go.kr', 'city.osaka.lg.jp', 'example.org'])}",
              {"ko": ["메일 {v}로 보내 주세요"], "ja": ["メール{v}まで"], "en": ["Email {v} today."]}),
    "CREDIT_CARD": (card, {"ko": ["카드번호 {v} 결제"], "ja": ["カード番号{v}"], "en": ["card {v} declined"]}),
    "IBAN": (iban, {"en": ["Transfer to IBAN {v}."], "ko": ["해외송금 IBAN {v}"]}),
    "POSTAL_CODE": (lambda: f"〒{_digits(3)}-{_digits(4)}", {"ja": ["{v} 東京都千代田区"]}),
    "IP_ADDRESS": (lambda: f"10.{R.randrange(256)}.{R.randrange(256)}.{R.randrange(1, 255)}",
                   {"ko": ["서버 {v}에 접속"], "en": ["host {v} is down"], "ja": ["サーバ{v}が停止"]}),
    "SECRET": (lambda: R.choice(["AKIA" + "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
                                 "ghp_" + _alnum(36), "sk-proj-" + _alnum(32)]),
               {"en": ["key {v} leaked"], "ko": ["토큰 {v} 사용"], "ja": ["APIキー{v}"]}),
    "MARKING": (lambda: R.choice(["대외비", "Ⅱ급비밀", "비공개(6)", "部外秘", "極秘", "TOP SECRET", "取扱注意"]),
                {"ko": ["[{v}] 회의 결과 보고"], "ja": ["【{v}】会議資料"], "en": ["{v} - briefing notes"]}),
}  # fmt: skip

PARTICLES = {"ko": ["이고", "로", "을", "입니다"], "ja": ["です", "まで", "を"], "en": [""]}
DIGIT_VARIANT_KINDS = {
    k for k in KINDS if k not in ("EMAIL", "SECRET", "MARKING", "JP_RESIDENCE_CARD")
}

NEGATIVES = {
    "ko": ["회의는 2024-01-15 오후 3시입니다.", "주문번호 20240115-0001 배송", "가격은 1,234,000원입니다.",
           "버전 1.2.3.4로 업데이트", "주민번호 901301-1234567은 잘못된 날짜", "대외비용을 절감했다",
           "참석자 120명, 예산 35억 원", "문의 사항은 민원실로", "사업자번호 116-82-00277 확인 불가",
           "카드 4111-1111-1111-1112 승인 거절", "공개 자료입니다"],
    "ja": ["会議は2024年1月15日です。", "秘書課に連絡", "神秘的な景色", "価格は12,800円",
           "注文番号 1234 5678 9012", "特定秘密保護法の解説", "バージョン2.3.1", "機密性1の情報"],
    "en": ["The meeting is on 2024-01-15.", "the secret to good soup", "Version 1.2.3.4 released",
           "Order 12345678901 shipped", "Invoice total: 1,234,567", "IBAN DE89 3704 0044 0532 0130 01",
           "commit 3f786850e387550fdab836ed7e6dc881de23001b"],
}  # fmt: skip


def _variants(kind: str, value: str, lang: str) -> list[tuple[str, str]]:
    out = [("plain", value)]
    if kind in DIGIT_VARIANT_KINDS:
        out.append(("fullwidth", value.translate(FULLWIDTH)))
        middle = len(value) // 2
        out.append(("zerowidth", value[:middle] + "\u200b" + value[middle:]))
        if value.replace("-", "").replace(" ", "").isdigit():
            out.append(("spaced", " ".join(value.replace(" ", ""))))
    if kind == "KR_RRN":
        out.append(("masked", value[:8] + "******"))
    if kind == "CREDIT_CARD":
        out.append(("masked", value[:7] + "**-****-" + value[-4:]))
    return out


def build() -> list[dict[str, object]]:
    R.seed(SEED)
    rows: list[dict[str, object]] = []
    for kind, (make_value, templates) in KINDS.items():
        for lang, forms in templates.items():
            for n in range(6):
                value = rrn_post2020() if kind == "KR_RRN" and n == 5 else make_value()
                for variant, shown in _variants(kind, value, lang):
                    template = forms[n % len(forms)]
                    if variant == "plain" and n % 2 == 1 and template.endswith("{v}"):
                        template += R.choice(PARTICLES[lang])
                    if kind == "KR_RRN" and n == 5 and variant == "plain":
                        variant = "post2020"
                    start = template.index("{v}")
                    text = template.replace("{v}", shown)
                    rows.append({
                        "id": f"{kind}-{lang}-{n}-{variant}", "lang": lang, "kind": kind,
                        "variant": variant, "text": text,
                        "spans": [{"kind": kind, "start": start, "end": start + len(shown)}],
                    })  # fmt: skip
    for lang, texts in NEGATIVES.items():
        for i, text in enumerate(texts):
            rows.append({"id": f"negative-{lang}-{i}", "lang": lang, "kind": None,
                         "variant": "lookalike", "text": text, "spans": []})  # fmt: skip
    return rows


def render(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        stale = not OUT.exists() or OUT.read_text(encoding="utf-8") != text
        print(f"{OUT}: {'stale' if stale else 'up to date'}")
        sys.exit(1 if stale else 0)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} lines to {OUT}")


if __name__ == "__main__":
    main()
