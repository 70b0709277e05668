"""Prompt-injection and jailbreak check: rules for the known attack families.

Runs on every message of a request when the policy lists it in
``output.input_checks`` — the user's own input and documents headed to the
model (attachments: indirect injection) alike. Text is normalised first
(``gwanmun.text.normalize``: NFKC, full-width letters, zero-width characters
removed), then matched case-insensitively against patterns in Korean, Japanese,
English, Chinese and the larger European languages, by family:

- ``override``: ignore / forget / disregard the previous instructions;
- ``exfiltrate``: reveal the system prompt, a secret key or a password;
- ``mode``: developer / maintenance / override / "DAN" modes, "you are now …
  without restrictions";
- ``embedded``: instructions addressed to the AI inside a document, chat-template
  markers, instructions hidden in HTML comments.

Each match is a ``PROMPT_INJECTION`` finding over the matched words with the
family's score; more families in one text raise it. A learned classifier for
paraphrased attacks is not built yet (docs/benchmarks.md).
"""

from __future__ import annotations

import re

from gwanmun.text import normalize
from gwanmun.types import Finding

_F = re.IGNORECASE | re.DOTALL

_PREV_EN = (
    r"(?:previous|prior|above|earlier|preceding|former|initial|original|system|your|all|any|the)"
)
_INSTR_EN = (
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|context|messages)"
)

_FAMILIES: dict[str, tuple[float, list[str]]] = {
    "override": (
        0.9,
        [
            rf"\b(?:ignore|disregard|forget|skip|override|bypass|discard)\s+(?:all\s+|any\s+|of\s+)?"
            rf"(?:the\s+|your\s+|my\s+|these\s+|those\s+)?(?:{_PREV_EN}\s+){{0,2}}{_INSTR_EN}",
            r"\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|said|prior)",
            r"(?:이전|앞|위|기존|지금까지|사전|먼저|초기)[의 ]*(?:의\s*)?(?:모든\s*)?"
            r"(?:지시|지침|명령|내용|규칙|프롬프트|설정|안내)\w{0,3}\s*(?:은|는|을|를)?\s*"
            r"(?:모두\s*|전부\s*|다\s*)?(?:무시|잊어|잊고|잊으|취소)",
            r"(?:위|앞)의?\s*(?:내용|말|것)\w{0,2}\s*(?:을|를)?\s*(?:모두\s*)?무시",
            r"(?:以前|前|上記|これまで|事前|最初|先ほど|従来)の?(?:すべての|全ての)?"
            r"(?:指示|命令|ルール|プロンプト|内容|設定|指令)\w{0,2}(?:を|は)?(?:すべて|全て)?"
            r"(?:無視|忘れ)",
            r"(?:忽略|无视|忘记|無視)(?:之前|以上|先前|上面|所有)?的?(?:所有)?(?:指示|说明|指令|规则)",
            r"\bignor[ae]\s+(?:todas\s+)?(?:las\s+|as\s+)?instrucci(?:o|ó)n(?:es)?\s+(?:anteriores|previas)",
            r"\bolvida\s+(?:todas\s+)?(?:tus\s+|las\s+)?instrucciones",
            r"\bignore\s+(?:todas\s+)?as\s+instru(?:ç|c)(?:õ|o)es\s+anteriores",
            r"\b(?:vergiss|ignoriere|vergessen\s+sie)\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen)?"
            r"\s*anweisungen",
            r"\bignore[rz]?\s+(?:toutes\s+)?(?:les\s+)?instructions\s+(?:précédentes|antérieures)",
            r"\boublie[rz]?\s+(?:toutes\s+)?(?:tes|vos|les)\s+instructions",
            r"\bignora\s+(?:tutte\s+)?(?:le\s+)?istruzioni\s+(?:precedenti|sopra)",
            r"\bignora(?:r)?\s+(?:lo|todo\s+lo|tutto\s+(?:quanto\s+)?ciò)\s+(?:anterior|sopra|precedente)",
            r"\bmissachten\s+sie\s+(?:alle\s+)?(?:vorherigen|bisherigen)\s+anweisungen",
            r"(?:игнорир|забуд|забыв)\w*\s+(?:все\s+)?(?:предыдущ|прежн|вышеуказанн)\w*",
            r"पिछले\s+निर्देश\w*(?:\s+\w+){0,3}\s*(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)",
            r"(?:अनदेखा|नज़रअंदाज़|नजरअंदाज)\s+कर\w*\s+पिछले",
            r"\b(?:önceki|yukarıdaki)\s+talimatlar\w*\s+(?:yok\s+say|unut|görmezden)",
            r"\b(?:abaikan|lupakan)\s+(?:semua\s+)?(?:instruksi|petunjuk)\s+(?:sebelumnya|di\s+atas)",
            r"\b(?:bỏ\s+qua|quên)\s+(?:tất\s+cả\s+)?(?:các\s+)?(?:hướng\s+dẫn|chỉ\s+dẫn)\s+trước",
            r"(?:تجاهل|انسَ|انس)\s+(?:جميع\s+)?(?:التعليمات|الإرشادات)\s+(?:السابقة|أعلاه)",
            r"ละเว้น(?:คำสั่ง|คำแนะนำ)(?:ก่อนหน้า|ข้างต้น)",
        ],
    ),
    "exfiltrate": (
        0.8,
        [
            r"\b(?:reveal|show|print|repeat|output|display|tell\s+me|give\s+me|what\s+(?:is|are))\s+"
            r"(?:me\s+)?(?:your|the)\s+(?:full\s+|hidden\s+|initial\s+|original\s+)?"
            r"(?:system\s+prompt|initial\s+instructions|hidden\s+instructions|secret\s+key|"
            r"secret\s+(?:word|code|string)|password|api\s+key)",
            r"(?:시스템\s*프롬프트|비밀\s*키|비밀\s*번호|비밀번호|암호|기밀\s*문자열|초기\s*지시)"
            r"\w{0,2}\s*(?:을|를|가|이|은|는)?\s*(?:알려|말해|공개|출력|보여|뭐|무엇)",
            r"(?:システムプロンプト|秘密の(?:鍵|キー|言葉)|秘密鍵|パスワード|パス\s*ワード|機密)"
            r"(?:を|は|が)?(?:教え|表示|出力|何|言っ|見せ)",
            r"(?:系统提示|秘密密钥|密码)(?:是什么|告诉我|显示)",
            r"\bcu(?:á|a)l\s+es\s+(?:la|tu|su)\s+(?:contraseña|clave\s+secreta)",
            r"\bquel\s+est\s+(?:le|ton|votre)\s+(?:mot\s+de\s+passe|code\s+secret)",
            r"\b(?:wie\s+lautet|was\s+ist)\s+(?:das|dein|ihr)\s+(?:passwort|kennwort)",
            r"\b(?:passwort|kennwort)\s+(?:\w+\s+){0,3}(?:angeben|teilen|nennen|verraten|sagen)",
            r"(?:पासवर्ड|गुप्त\s+कुंजी|सीक्रेट\s+की)\s*(?:क्या|बताओ|बताइए|बताएं|साझा)",
            r"(?:какой|скажи|назови)\s+(?:\w+\s+)?(?:пароль|секретный\s+ключ)",
        ],
    ),
    "mode": (
        0.75,
        [
            # Entering a special mode; the mode's name alone ("the admin mode of the
            # booking system") is ordinary office language.
            r"\b(?:enter(?:ing|s)?|activat\w*|switch(?:ing)?\s+(?:in)?to|initiat\w*|now\s+in|"
            r"engag\w*)\s+(?:the\s+|a\s+)?['\"]?(?:\w+\s+){0,2}(?:developer|maintenance|debug|god|"
            r"admin|override|unrestricted|jailbreak|system|verification)\s+mode",
            r"\b(?:jailbreak|god|unrestricted|dan)\s+mode\b",
            r"\bdo\s+anything\s+now\b",
            r"\byou\s+are\s+(?:now\s+)?(?:no\s+longer|free\s+from|not\s+bound)\b",
            r"\b(?:without|no)\s+(?:any\s+)?(?:restrictions|filters|limitations|censorship)\b"
            r"(?=.{0,60}\b(?:answer|respond|act|pretend)\b)",
            r"\bsystem\s+override\b|<\s*system\s+mode\s*>|\bmodo\s+(?:sistema|desarrollador)\b",
            r"\b(?:i\s+am|soy|ich\s+bin|je\s+suis)\s+(?:god|dios|gott|dieu)\b",
            r"(?:유지\s*보수|관리자|개발자|디버그|오버라이드|탈옥|시스템|무제한)\s*모드['\"]?\s*"
            r"(?:에|로)\s*(?:돌입|진입|전환|들어)",
            r"(?:メンテナンス|管理者|開発者|デバッグ|オーバーライド|脱獄|システム|無制限)\w{0,6}?"
            r"モードに(?:入|移行|切り替え|突入)",
            r"进入(?:开发者|维护|调试|管理员|越狱)模式",
        ],
    ),
    "embedded": (
        0.7,
        [
            r"\b(?:AI|assistant|model|chatbot|GPT|LLM)\s*[:,]?\s*(?:when|if|while)\s+"
            r"(?:summari[sz]ing|reading|processing|you\s+(?:read|summari[sz]e|see))\s+this",
            r"<!--[^>]{0,400}?(?:instruction|ignore|system|assistant|AI\b|지시|무시|指示|無視)",
            r"<\|(?:im_start|system|endoftext)\|>|\[/?(?:SYSTEM|INST)\]|^\s*#{2,}\s*(?:system|instruction)",
            r"(?:AI|인공지능|어시스턴트)\s*(?:에게|는|야)\s*[:,]?\s*(?:이\s*문서를|이\s*글을)?\s*"
            r"(?:요약할\s*때|읽으면|처리할\s*때)",
            r"(?:AI|アシスタント)(?:へ|は)[:、]?\s*(?:この文書を)?(?:要約する際|読んだら|処理する際)",
        ],
    ),
}

_COMPILED = [
    (family, score, re.compile(pattern, _F))
    for family, (score, patterns) in _FAMILIES.items()
    for pattern in patterns
]


class InjectionCheck:
    """``TextCheck``: prompt-injection attempts in a message (kind ``PROMPT_INJECTION``)."""

    name = "injection"

    def check(self, text: str) -> list[Finding]:
        if not text.strip():
            return []
        normalized = normalize(text)
        hits: list[tuple[int, int, float, str]] = []
        for family, score, pattern in _COMPILED:
            for match in pattern.finditer(normalized.text):
                if match.end() > match.start():
                    hits.append((match.start(), match.end(), score, family))
        if not hits:
            return []
        families = {h[3] for h in hits}
        bonus = 0.05 * (len(families) - 1)
        findings = []
        for start, end, score, _ in sorted(hits):
            lo, hi = normalized.span_to_original(start, end)
            findings.append(
                Finding("PROMPT_INJECTION", lo, hi, round(min(1.0, score + bonus), 3), self.name)
            )
        return findings

    def score(self, text: str) -> float:
        return max((f.score for f in self.check(text)), default=0.0)
