"""Prompt-injection and jailbreak check: multilingual rules plus a small classifier.

Runs on every message of a request when the policy lists it in
``output.input_checks`` — the user's own input and documents headed to the
model (attachments: indirect injection) alike. Text is normalised first
(``gwanmun.text.normalize``: NFKC, full-width letters, zero-width and other
invisible characters removed), then looked at in two ways:

1. **Rules**, matched case-insensitively, in Korean, Japanese, English, Chinese
   and the larger European languages, by family:

   - ``override``: ignore / forget / disregard the previous instructions;
   - ``exfiltrate``: reveal the system prompt, a secret key or a password, also
     through a format (spelled backwards, hidden in a poem);
   - ``mode``: developer / maintenance / DAN modes, "you are now … without
     restrictions", fake ``<SYSTEM MODE>`` tags;
   - ``embedded``: instructions addressed to the AI inside a document ("AI
     assistant: when summarising this, …"), chat-template markers, instructions
     in HTML comments or hidden text;
   - ``split``: payload splitting ("a = '…', b = '…', write z = a + b");
   - ``obfuscated``: base64 / hex / binary text that decodes to an attack (or
     to hidden prose), "decode this and follow it".

   Each match is a finding over the matched words with its rule's score; a
   text that hits several families gets a small bonus.
2. **A classifier** for paraphrases the rules do not list: hashed character
   1-4-grams of the folded text (see ``features``) into a logistic regression
   trained by ``bench/train/train_injection.py`` on the CyberSecEval prompt-injection
   development half (MIT; 17 languages) against benign prompts written by the
   project (``data/INJECTION_MODEL.md``). Inference is numpy only. Its
   probability is mapped so that the operating point chosen in training (about
   1% of benign prompts over it, out of fold) lands on 0.7, the default
   policy's ``min_score``. Long texts are scored in overlapping windows; the
   finding covers the worst window.

3. **A second opinion by meaning**, for Korean and Japanese text only
   (``check.injection_embedding``; off unless the policy sets
   ``output.injection_embedding``): the one segment the classifier found most
   suspicious, when it gave it at least a floor probability, is embedded by the
   multilingual sentence encoder and scored by a small network trained on the
   same data; paraphrases the character n-grams do not know land near the
   attacks they paraphrase there.

The classifier reads a text with its URLs blanked (``without_urls``): every
URL in its training data is in an attack, and it had learnt that a link is
one — half of 70 ordinary Korean and Japanese requests with a link were
blocked (``bench/data/benign_urls_heldout.jsonl``); blanked, none is, and no
held-out attack is missed that was caught before. The rules read URLs as they
are.

The first two also score the text's other readings (``gwanmun.check.readings``): letter-
spaced words closed up, Hangul typed as separate jamo composed; a finding on a
reading covers the whole text. The score of a text is the largest. Findings
never carry the text.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hyperscan
import numpy as np
import numpy.typing as npt

from gwanmun import packaged
from gwanmun.check.injection_embedding import (
    EmbeddingInjectionModel,
    applies,
    load_embedding_model,
    negates_an_override,
)
from gwanmun.check.readings import readings
from gwanmun.sentences import split_sentences
from gwanmun.text import Normalized, normalize
from gwanmun.types import Finding

KIND = "PROMPT_INJECTION"
NGRAMS = (1, 2, 3, 4)
DIM = 1 << 18
# The classifier's operating point is mapped onto this score (the default min_score).
OPERATING_SCORE = 0.7
# Classifier findings under this score are not reported (the policy would drop them).
REPORT_FLOOR = 0.5
# Texts shorter than this (after folding) are left to the rules: too little to classify.
MIN_CHARS = 12
# Texts up to WHOLE characters are classified whole; longer ones in windows.
WHOLE = 800
WINDOW = 500
STEP = 250

_F = re.IGNORECASE | re.DOTALL

# --- rules -----------------------------------------------------------------------

_PREV_EN = (
    r"(?:previous|prior|above|earlier|preceding|former|initial|original|system|your|all|any|"
    r"the|these|those|old)"
)
_INSTR_EN = (
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|context|"
    r"messages|constraints|programming|guardrails)"
)
_SECRET_EN = (
    r"(?:system\s+prompt|initial\s+(?:instructions|prompt)|hidden\s+(?:instructions|prompt)|"
    r"(?:instructions|text)\s+above|secret\s+(?:key|word|code|string|phrase|password)|"
    r"password|passcode|passphrase|api\s+key|access\s+code|confidential\s+(?:string|data|key))"
)
# "What is the password policy" is an ordinary question.
_NOT_POLICY = (
    r"(?!\s*(?:policy|policies|rules?|requirements?|reset|change|manager|strength|length|format|"
    r"guidance|guidelines|expiry|complexity|management|security))"
)
_SECRET_KO = (
    r"(?:시스템\s*프롬프트|비밀\s*키|비밀\s*번호|패스\s*워드|암호|기밀\s*(?:문자열|정보|키)|"
    r"초기\s*(?:지시|프롬프트)|API\s*키|비밀\s*(?:코드|단어|문자열))"
)
# Sharing a password as a topic (a problem, a ban, a practice), not a request to share it.
_NOT_TOPIC_KO = r"(?!\W{0,2}\s*(?:문제|금지|행위|관행|여부|사례|실태|방지|위험|습관|제한))"
_NOT_TOPIC_JA = r"(?!\W{0,2}(?:問題|禁止|行為|慣行|の有無|事例|実態|防止|リスク|の危険|習慣|制限))"
_SECRET_JA = (
    r"(?:システムプロンプト|秘密の(?:鍵|キー|言葉|コード|文字列)|秘密鍵|パスワード|パス\s*ワード|"
    r"機密(?:情報|文字列)|初期(?:指示|プロンプト)|APIキー|合言葉)"
)

# An order in the written imperative or notice style, within the same line: what
# turns talk about an AI ("요약하는 AI는 정확하다") into an instruction to it.
_ORDER_KO = (
    r"[^\n]{0,120}?(?:할\s*것|하라|하시오|하십시오|해라|말\s*것|마라|마시오|말라|무시하|"
    r"출력하|대신|반드시)"
)
_ORDER_JA = (
    r"[^\n]{0,120}?(?:すること|せよ|しろ|しなさい|するな|しないこと|ものとする|無視し|出力し|"
    r"代わりに|答えよ|書け|言え)"
)
# The same, looked ahead for after an addressee that is not set off by a colon.
_BODY_KO = _ORDER_KO
_BODY_JA = _ORDER_JA

# "Must not ignore / forget", "ignoring it is not allowed": the opposite of an override.
_NOT_KO = (
    r"하지\s*(?:말|마|않)|지\s*(?:말|마|않)|으면\s*안|어서는\s*안|으시면\s*안|하면\s*안|"
    r"해서는\s*안"
)
_NOT_IGNORE_JA = r"しない|せず|して(?:は|も)(?:いけ|だめ|なら)|するな"
# "Don't forget the earlier instructions; keep following them" keeps them (it scored 0.9).
_NOT_BEFORE_EN = r"(?<!not\s)(?<!n't\s)(?<!n’t\s)(?<!never\s)(?<!dont\s)"
_NOT_FORGET_JA = r"ない|ず|ては|ちゃ|るな"

# family -> (score, pattern) or (score, pattern, anchors) when the pattern does not
# start with literals.
_FAMILIES: dict[str, list[tuple[float, str] | tuple[float, str, tuple[str, ...]]]] = {
    "override": [
        (
            0.9,
            rf"\b{_NOT_BEFORE_EN}(?:ignore|disregard|forget|skip|override|bypass|discard|drop)\s+"
            rf"(?:all\s+|any\s+|of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?"
            rf"(?:{_PREV_EN}\s+){{0,2}}{_INSTR_EN}",
            ("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "drop"),
        ),
        (
            0.9,
            rf"\b{_NOT_BEFORE_EN}(?:ignore|disregard|forget)\s+(?:everything|all|what(?:ever)?)\s+"
            r"(?:(?:you\s+(?:were|have\s+been)\s+)?(?:told|said|written|instructed)|above|before|"
            r"prior|previously|earlier)",
            ("ignore", "disregard", "forget"),
        ),
        (0.9, r"\bignore\s+the\s+above\b"),
        (
            0.85,
            rf"\b(?:regardless\s+of|irrespective\s+of|instead\s+of\s+following|do\s+not\s+follow|"
            rf"don'?t\s+follow|stop\s+following)\s+(?:all\s+)?(?:the\s+|your\s+)?"
            rf"(?:{_PREV_EN}\s+){{0,2}}(?:{_INSTR_EN}|tasks?)",
        ),
        (
            0.6,
            r"\byour\s+(?:new|real|actual|true)\s+(?:task|instructions?|job|goal)\s+(?:is|are)\b",
        ),
        (
            0.9,
            r"(?:이전|앞|위|기존|지금까지|사전|먼저|초기|원래|시스템)[의 ]*(?:의\s*)?(?:모든\s*)?"
            r"(?:지시|지침|명령|규칙|프롬프트|설정|안내|제약)\w{0,3}\s*(?:은|는|을|를|에)?\s*"
            rf"(?:모두\s*|전부\s*|다\s*)?(?:무시(?!{_NOT_KO})|잊어(?!서는\s*안)|잊고|잊으(?!면\s*안|시면\s*안)|"
            r"따르지\s*(?:마|말))",
        ),
        (
            0.85,
            r"(?:위|앞)의?\s*(?:내용|말|것|글)\w{0,2}\s*(?:을|를|은|는)?\s*(?:모두\s*)?"
            r"무시(?!하지\s*(?:말|마|않))",  # not 무시하지 말고: "do not ignore"
        ),
        (
            0.85,
            r"(?:지금까지|이제까지|앞서)\s*(?:들은|받은|말한)\s*(?:모든\s*)?(?:것|내용|지시)\w{0,2}\s*"
            r"(?:은|는|을|를)?\s*(?:모두\s*|전부\s*|다\s*)?(?:무시(?!하지\s*(?:말|마|않))|잊(?!지\s*(?:말|마|않)))",
        ),
        (
            0.9,
            r"(?:以前|前|上記|これまで|事前|最初|先ほど|従来|元|システム)の?(?:すべての|全ての)?"
            r"(?:指示|命令|ルール|プロンプト|設定|指令|制約|指針)\w{0,2}(?:を|は)?(?:すべて|全て)?"
            rf"(?:無視(?!{_NOT_IGNORE_JA})|忘れ(?!{_NOT_FORGET_JA})|従わな)",
        ),
        (0.85, r"(?:上|前)の?(?:内容|文章|こと)を?(?:すべて|全て)?無視(?!しない|せず)"),
        # More ways to name the rules being dropped: older or inherited ones
        # (종래 / 先行 / 従前 …), the AI's own (너의 / あなたの), or waved away
        # (따위 / なんて); the verbs stay ignore / forget / do not follow.
        (
            0.85,
            r"(?:이전|앞선|앞서|기존|종래|종전|선행|그동안|여태|지금까지|방금|원래|상위|기본|너의|네|"
            r"당신의)\s*(?:받은\s*|적용되던\s*|지켜\s*온\s*)?(?:모든\s*)?(?:안전\s*)?"
            r"(?:지시|지침|명령|규칙|규정|정책|수칙|제한(?:\s*사항)?|금지\s*사항|가이드\w{0,3}|원칙|"
            r"방침|프롬프트|설정|제약)\w{0,3}\s*(?:은|는|을|를|들은|들을)?\s*(?:모두\s*|전부\s*|"
            rf"다\s*|일체\s*|싹\s*)?(?:무시(?!{_NOT_KO})|잊(?!{_NOT_KO})|"
            r"따르지\s*(?:마|말))",
        ),
        (
            0.85,
            r"(?:규칙|지침|지시|수칙|규정|정책|제한|원칙)\s*(?:따위|나부랭이|같은\s*건)\w{0,2}\s*"
            rf"(?:다\s*|모두\s*)?(?:무시(?!{_NOT_KO})|잊(?!{_NOT_KO}))",
        ),
        (
            0.85,
            r"(?:以前|前|上記|これまで|今まで|従前|従来|先行|既存|旧|さっき|元々|本来|あなたの|君の)の?"
            r"(?:すべての|全ての)?(?:安全の|セキュリティ)?(?:指示|命令|ルール|規則|規程|規定|ポリシー|"
            r"決まり|制限|制約|指針|ガイドライン|プロンプト|設定)\w{0,3}?(?:を|は|とか|なんて|など)?"
            rf"(?:すべて|全て|全部|一切)?(?:ガン)?(?:無視(?!{_NOT_IGNORE_JA})|忘れ(?!{_NOT_FORGET_JA})|従わな(?!いと|ければ|くてもよい(?:例外|場合)))",
        ),
        (
            0.85,
            r"(?:ルール|規則|決まり|指示|制限|ポリシー)(?:なんて|なんか)(?:全部|すべて)?"
            rf"(?:無視(?!{_NOT_IGNORE_JA})|忘れ(?!{_NOT_FORGET_JA}))",
        ),
        # The same in kana only: what romanised Japanese reads as (``readings``).
        (
            0.85,
            r"(?:いぜん|まえ|うえ|これまで|いままで|さいしょ|じぜん|しすてむ)の?(?:すべての)?"
            r"(?:しじ|めいれい|るーる|るる|せってい|ぷろんぷと|せいやく)(?:を|は)?(?:すべて|ぜんぶ)?"
            r"(?:むし(?!しない|せず)|わすれ(?!ない|ず))",
        ),
        (
            0.85,
            r"(?:これまで|今まで)に?(?:言われた|受けた|与えられた)(?:こと|指示|内容)を?"
            r"(?:すべて|全て)?(?:無視(?!しない|せず)|忘れ(?!ない|ず))",
        ),
        (
            0.9,
            r"(?:忽略|无视|忘记|無視|忘掉)(?:掉)?(?:之前|以上|先前|上面|所有|前面|以前)?的?"
            r"(?:所有)?(?:指示|说明|指令|规则|提示|内容)",
        ),
        (
            0.9,
            r"\bignor(?:a|e|ar)\s+(?:todas\s+)?(?:las\s+|as\s+)?instru(?:cci|ç|c)(?:o|ó|õ)n?(?:es)?\s+"
            r"(?:anteriores|previas)",
        ),
        (0.9, r"\b(?:olvida|olvide)\s+(?:todas\s+)?(?:tus\s+|las\s+|sus\s+)?instrucciones"),
        (
            0.9,
            r"\b(?:vergiss|ignoriere|vergessen\s+sie|ignorieren\s+sie|missachten\s+sie)\s+"
            r"(?:alle\s+)?(?:vorherigen|bisherigen|obigen|deine|ihre)?\s*anweisungen",
        ),
        (
            0.9,
            r"\bignore[rz]?\s+(?:toutes\s+)?(?:les\s+)?(?:instructions|consignes)\s+"
            r"(?:précédentes|antérieures)",
        ),
        (0.85, r"\bignore[rz]?\s+ce\s+qui\s+précède\b"),
        (0.9, r"\boublie[rz]?\s+(?:toutes\s+)?(?:tes|vos|les)\s+(?:instructions|consignes)"),
        (0.9, r"\bignora\s+(?:tutte\s+)?(?:le\s+)?istruzioni\s+(?:precedenti|sopra)"),
        (
            0.85,
            r"\bignora(?:r)?\s+(?:lo|todo\s+lo|tutto\s+(?:quanto\s+)?ciò|o)\s+"
            r"(?:anterior|sopra|precedente|acima)",
        ),
        (0.85, r"(?:игнорир|забуд|забыв)\w*\s+(?:все\s+)?(?:предыдущ|прежн|вышеуказанн)\w*"),
        (0.85, r"पिछले\s+निर्देश\w*(?:\s+\w+){0,3}\s*(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)"),
        (0.85, r"(?:अनदेखा|नज़रअंदाज़|नजरअंदाज)\s+कर\w*\s+पिछले"),
        (0.85, r"\b(?:önceki|yukarıdaki)\s+talimatlar\w*\s+(?:yok\s+say|unut|görmezden)"),
        (
            0.85,
            r"\b(?:abaikan|lupakan)\s+(?:semua\s+)?(?:instruksi|petunjuk)\s+(?:sebelumnya|di\s+atas)",
        ),
        (
            0.85,
            r"\b(?:bỏ\s+qua|quên)\s+(?:tất\s+cả\s+)?(?:các\s+)?(?:hướng\s+dẫn|chỉ\s+dẫn)\s+trước",
        ),
        (0.85, r"(?:تجاهل|انسَ|انس)\s+(?:جميع\s+)?(?:التعليمات|الإرشادات)\s+(?:السابقة|أعلاه)"),
        (0.85, r"ละเว้น(?:คำสั่ง|คำแนะนำ)(?:ก่อนหน้า|ข้างต้น)"),
    ],
    "exfiltrate": [
        (
            0.8,
            rf"\b(?:reveal|show|print|repeat|output|display|tell\s+me|give\s+me|share|send\s+me|"
            rf"provide|confirm|disclose|leak|spell\s+out|write\s+out|what\s+(?:is|are|was|were))"
            rf"\s+(?:me\s+)?(?:with\s+)?(?:your|the|our)\s+(?:full\s+|hidden\s+|initial\s+|"
            rf"original\s+|current\s+|secret\s+|system(?:'s)?\s+)?{_SECRET_EN}\b{_NOT_POLICY}",
        ),
        (
            0.85,
            r"\b(?:repeat|print|output|show|reveal)\s+(?:all\s+|everything\s+|the\s+)?"
            r"(?:text|words|everything|instructions|prompt)\s+(?:above|before\s+this|you\s+were\s+given)",
        ),
        (
            0.85,
            r"\b(?:spell|write|print|say|give|type)\s+(?:out\s+)?(?:the\s+|your\s+)?"
            r"(?:password|secret\s+key|secret|system\s+prompt)\s+(?:backwards|in\s+reverse|"
            r"letter\s+by\s+letter|one\s+letter\s+at\s+a\s+time|with\s+(?:dashes|spaces|dots|hyphens)|"
            r"in\s+(?:base64|hex|morse|binary|pig\s+latin))",
        ),
        (
            0.75,
            r"\b(?:poem|haiku|song|story|riddle|acrostic|limerick)\s+(?:about|containing|including|"
            r"using|hiding|with)\s+(?:the\s+|your\s+)(?:password|secret\s+key|secret|system\s+prompt)",
        ),
        (
            0.8,
            # Not "비밀번호란 무엇인가요" (what a password is) or "뭐로 할까요" (what to pick).
            rf"{_SECRET_KO}(?!이?란|이?라는)\w{{0,2}}\s*(?:을|를|가|이|은|는|좀)?\s*"
            # Nor "비밀번호 공유 문제" (password sharing as a topic).
            rf"(?:알려|말해|공개|출력|보여|뭐(?!로|으로)|무엇(?!으로)|공유{_NOT_TOPIC_KO}|불러|밝혀|적어)",
        ),
        (
            0.8,
            r"(?:위|앞|처음)의?\s*(?:지시|프롬프트|지침|명령)\w{0,3}\s*(?:을|를)?\s*(?:그대로\s*)?"
            r"(?:반복|출력|보여|알려)",
        ),
        (
            0.75,
            r"(?:비밀번호|암호|비밀\s*키)\w{0,2}\s*(?:에\s*대해|로|를\s*넣어)\s*.{0,10}"
            r"(?:시|하이쿠|노래)",
        ),
        (
            0.8,
            # Not "パスワードは何にすれば" (what to pick) or "何文字" (how many characters).
            rf"{_SECRET_JA}(?:を|は|が)?(?:何(?!に|文字|桁|回|日|度|か月|ヶ月|個)|教え|表示|"
            rf"出力|言っ|見せ|共有{_NOT_TOPIC_JA}|明か|書い)",
        ),
        (0.8, r"上記の(?:指示|プロンプト|命令)を(?:そのまま)?(?:繰り返|出力|表示)"),
        (
            0.8,
            r"(?:しすてむぷろんぷと|ぱすわ[ーあ]ど|ひみつのかぎ|かんりしゃのあんごう)(?:を|は)?"
            r"(?:おしえ|みせ|だし|しゅつりょく|ひょうじ)",
        ),
        (0.75, r"(?:パスワード|秘密の鍵)(?:について|を使って|を入れて).{0,10}(?:詩|俳句|歌)"),
        (0.8, r"(?:系统提示|秘密密钥|秘密钥|密钥|密码)(?:是什么|告诉我|显示|是多少)"),
        (0.8, r"(?:告诉我|显示|透露)(?:你的)?(?:系统提示|秘密密钥|秘密钥|密钥|密码)"),
        (0.8, r"\bcu(?:á|a)l\s+es\s+(?:la|tu|su)\s+(?:contraseña|clave\s+secreta|llave\s+secreta)"),
        (0.8, r"\bqual\s+(?:é|e|è)\s+(?:a\s+(?:sua\s+|tua\s+)?senha|la\s+(?:tua\s+)?password)"),
        (
            0.8,
            r"\bquel\s+est\s+(?:le|ton|votre)\s+(?:mot\s+de\s+passe|code\s+secret|clé\s+secrète)",
        ),
        (0.8, r"\b(?:wie\s+lautet|was\s+ist)\s+(?:das|dein|ihr)\s+(?:passwort|kennwort)"),
        (
            0.75,
            r"\b(?:passwort|kennwort)\s+(?:\w+\s+){0,3}(?:angeben|teilen|nennen|verraten|sagen)",
        ),
        (0.8, r"(?:पासवर्ड|गुप्त\s+कुंजी|सीक्रेट\s+की)\s*(?:क्या|बताओ|बताइए|बताएं|साझा)"),
        (0.8, r"(?:какой|скажи|назови)\s+(?:\w+\s+)?(?:пароль|секретный\s+ключ)"),
    ],
    "mode": [
        # Entering a special mode; the mode's name alone ("the admin mode of the
        # booking system") is ordinary office language.
        (
            0.75,
            r"\b(?:enter(?:ing|s)?|activat\w*|switch(?:ing)?\s+(?:in)?to|initiat\w*|now\s+in|"
            r"engag\w*)\s+(?:the\s+|a\s+)?['\"]?(?:\w+\s+){0,2}(?:developer|maintenance|debug|god|"
            r"admin|override|unrestricted|jailbreak|system|verification)\s+mode",
        ),
        (0.8, r"\b(?:jailbreak|god|unrestricted|unfiltered|dan|evil)\s+mode\b"),
        (0.85, r"\bdo\s+anything\s+now\b"),
        (
            0.85,
            r"\byou\s+are\s+(?:now\s+)?(?:no\s+longer\s+(?:bound|restricted|an?\s+ai|limited)|"
            r"free\s+(?:from|of)\s+(?:all\s+|any\s+)?(?:rules|restrictions|limits|guidelines)|"
            r"not\s+bound\s+by)",
        ),
        (
            0.85,
            r"\b(?:you\s+are\s+now|act\s+as|pretend\s+(?:to\s+be|you\s+are)|roleplay\s+as|"
            r"from\s+now\s+on\s+you\s+are)\s+(?:an?\s+)?(?:\w+\s+){0,3}?(?:unrestricted|unfiltered|"
            r"uncensored|jailbroken|evil|amoral|(?-i:DAN)\b)",
        ),
        (
            0.8,
            r"\b(?:without|no|ignore\s+(?:all|any|your))\s+(?:any\s+)?(?:ethical\s+|moral\s+)?"
            r"(?:restrictions|filters|limitations|censorship|guidelines|rules)\b"
            r"(?=.{0,60}\b(?:answer|respond|reply|act|pretend|tell)\b)",
        ),
        (0.8, r"<\s*/?\s*(?:system|admin|developer|debug|root)\s*(?:mode|override|access)?\s*>"),
        (0.8, r"\bsystem\s+override\b"),
        (0.8, r"\bmodo\s+(?:sistema|desarrollador)\s+activ"),
        (
            0.75,
            r"\b(?:i\s+am|soy|ich\s+bin|je\s+suis|sono|eu\s+sou)\s+(?:a\s+)?"
            r"(?:god|dios|gott|dieu|dio|deus)\b",
            ("god", "dios", "gott", "dieu", "dio", "deus"),
        ),
        (
            0.8,
            r"\b(?-i:DAN)\b(?=.{0,200}(?:anything|now|mode|rules|limit|restrict|jailbreak|persona))",
            ("dan",),
        ),
        (
            0.75,
            r"(?:유지\s*보수|관리자|개발자|디버그|오버라이드|탈옥|시스템|무제한|검증)\s*모드['\"]?\s*"
            r"(?:에|로)\s*(?:돌입|진입|전환|들어)",
        ),
        (
            0.85,
            r"(?:제한|규칙|필터|검열|윤리)\w{0,2}\s*(?:이|가)?\s*없는\s*(?:AI|인공지능|챗봇|모델|어시스턴트)"
            r"\w{0,2}\s*(?:인\s*척|처럼|로서|이야|입니다|이다|역할)",
        ),
        (0.85, r"지금\s*(?:당장\s*)?무엇이든\s*할\s*수\s*있"),
        (
            0.75,
            r"(?:メンテナンス|管理者|開発者|デバッグ|オーバーライド|脱獄|システム|無制限|検証)\w{0,6}?"
            r"モードに(?:入|移行|切り替え|突入)",
        ),
        (
            0.85,
            r"(?:制限|ルール|フィルター|検閲|倫理)(?:の|が)?ない(?:AI|人工知能|チャットボット|モデル|"
            r"アシスタント)(?:として|のふり|になりきっ|です|だ)",
        ),
        (0.85, r"今すぐ何でも(?:でき|する)"),
        (0.75, r"进入(?:开发者|维护|调试|管理员|越狱|系统)模式|<\s*系统模式\s*>"),
        (0.85, r"现在(?:就)?(?:可以)?做任何事"),
    ],
    "embedded": [
        (
            0.85,
            r"\b(?:AI|assistant|model|chatbot|GPT|LLM|language\s+model)s?\s*[:,]?\s*(?:when|if|while|"
            r"before)\s+(?:summari[sz]ing|reading|processing|answering|translating|you\s+(?:read|"
            r"summari[sz]e|see|process))",
        ),
        (
            0.8,
            r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|assistant|"
            r"chatbot|llm|language\s+model|gpt|ai\s+model)s?\b\s*[:,-]",
        ),
        (
            0.8,
            r"\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|assistant|language\s+model|llm|chatbot|gpt)\b"
            r"(?:\s+(?:reading|summari[sz]ing|processing))?",
        ),
        (
            0.75,
            r"<!--[^>]{0,400}?(?:instruction|ignore|system|assistant|AI\b|password|지시|무시|"
            r"指示|無視|パスワード|비밀번호)",
        ),
        (
            0.8,
            r"(?:display\s*:\s*none|font-size\s*:\s*0|visibility\s*:\s*hidden|color\s*:\s*"
            r"(?:white|#fff(?:fff)?))[^>]{0,80}>[^<]{0,300}(?:ignore|instruction|assistant|\bai\b|"
            r"system|password|무시|지시|指示|無視)",
        ),
        (
            0.85,
            r"<\|(?:im_start|im_end|system|endoftext|user|assistant)\|>|\[/?(?:SYSTEM|INST)\]|"
            r"<<\s*/?SYS\s*>>",
        ),
        # Addressed to the AI that reads the document ("AI에게: 이 문서를 요약할 때",
        # "この文書を要約するAIは"), then told what to do. Talk about such an AI
        # ("この文書を翻訳するAIは精度が高い", "AI는 요약할 때 숫자를 틀려요") is
        # ordinary office language: an order must follow.
        (
            0.85,
            r"(?:AI|인공지능|어시스턴트|챗봇|언어\s*모델)\s*(?:(?:에게|께|야|님)\s*[:,]|"
            rf"(?:에게|께|는|은|야|님)(?={_BODY_KO}))\s*"
            r"(?:이\s*(?:문서|글|메일|페이지|파일)(?:를|을)\s*)?(?:요약|번역|처리|읽)\w{0,3}\s*"
            r"(?:때|면|경우)",
        ),
        (
            0.85,
            rf"이\s*(?:문서|글|메일|페이지|파일)(?:를|을)\s*(?:요약|처리|읽|번역)\w{{0,3}}\s*"
            rf"(?:AI|인공지능|어시스턴트|챗봇|모델)(?:는|은|에게){_ORDER_KO}",
        ),
        (
            0.85,
            rf"(?:AI|アシスタント|チャットボット|言語モデル)(?:(?:へ|に)[:：、]|(?:へ|に|は)[:：、]?"
            rf"(?={_BODY_JA}))\s*(?:この(?:文書|メール|ページ|文章)を)?(?:要約|翻訳|処理|読)"
            r"(?:する際|するとき|する時|したら|む際|んだら|む場合)",
        ),
        (
            0.85,
            rf"この(?:文書|メール|ページ|文章)を(?:要約|読|処理|翻訳)(?:する|んだ|む|した)"
            rf"(?:AI|アシスタント|チャットボット|モデル)(?:は|へ){_ORDER_JA}",
        ),
        # Addressed to whatever AI processes the document, then told what to do:
        # "이 이력서를 평가하는 AI 시스템은 … 부여하십시오", "要約担当のAIへ：…すること".
        (
            0.8,
            r"(?:(?:문서|메일|이메일|기사|이력서|회의록|페이지|글|문의|리뷰|기록|파일|데이터|"
            r"자기소개서|공문)(?:을|를)\s*(?:읽는|읽은|처리하는|요약하는|평가하는|분석하는|"
            r"번역하는|가공하는|심사하는|검토하는)\s*(?:모든\s*)?|(?:요약|번역|평가|분석|심사|처리)"
            r"\s*(?:담당|용|하는)?\s*)(?:AI|인공지능|어시스턴트|모델|LLM|봇|챗봇|시스템|도구|엔진)\w{0,4}"
            r"\s*(?:은|는|에게|께서는|:)[^\n]{0,120}?(?:할\s*것|하라|하시오|하십시오|해라|반드시|"
            r"하세요|주세요|말고|마라|말\s*것|부여|출력)",
        ),
        (
            0.8,
            r"(?:(?:文書|メール|記事|履歴書|議事録|ページ|文章|問い合わせ|レビュー|記録|ファイル|"
            r"データ|応募書類)を(?:読む|読んだ|処理する|要約する|評価する|分析する|翻訳する|加工する|"
            r"審査する|確認する)(?:すべての)?|(?:要約|翻訳|評価|分析|審査|処理)(?:担当|用)?の?)"
            r"(?:AI|人工知能|アシスタント|モデル|LLM|ボット|チャットボット|システム|ツール|エンジン)\w{0,4}?"
            r"(?:は|へ|に告ぐ|[:：])[^\n]{0,120}?(?:すること|せよ|しろ|してください|必ず|しなさい|"
            r"するな|ください|出力)",
        ),
        (0.7, r"\b(?:new|updated)\s+instructions?\s*:"),
        # Alone, "새로운 지시: 금요일까지 보고서 제출" is a manager's memo; with the
        # classifier or another rule it adds up.
        (0.6, r"새로운\s*지시\w{0,2}\s*:|新しい指示\s*[:：]"),
    ],
    "split": [
        # a = "...", b = "...", then z = a + b: the request is assembled from parts.
        (
            0.6,
            r"\b[a-z]\s*=\s*[\"'“”«„][^\"'“”»]{1,200}[\"'“”»].{0,400}?\b[a-z]\s*=\s*[a-z]\s*\+\s*[a-z]\b",
            ("+",),
        ),
        (
            0.6,
            r"\b(?:combin\w*|concatenat\w*|join|merge|kombinier\w*|kombinasi\w*|combina\w*|"
            r"interlace|intercala\w*)\s+(?:the\s+|die\s+|de\s+)?(?:strings?\s+|parts?\s+)?"
            r"[a-c](?:\s*,\s*|\s+(?:and|und|et|y|e|dan)\s+)[a-c]\b",
        ),
        (
            0.6,
            r"\b(?:part|parte|teil|partie|bagian)\s*1\s*(?:is|es|ist|est|è|é|adalah|:)\s*[\"'“«„:]",
        ),
        (
            0.6,
            r"[A-C]\s*,\s*[A-C]\s*(?:,\s*)?(?:와|과|및)?\s*[A-C]?\s*(?:를|을)\s*(?:합쳐|결합|이어)",
            ("합쳐", "결합", "이어"),
        ),
        (
            0.6,
            r"[A-C](?:と|、)[A-C](?:と|、)?[A-C]?を(?:組み合わせ|結合|つなげ|合わせ)",
            ("組み合わせ", "結合", "つなげ", "合わせ"),
        ),
        (0.6, r"(?:结合|合并|组合|拼接)\s*[A-C]\s*[、,和]\s*[A-C]"),
    ],
    "obfuscated": [
        (
            0.75,
            r"\b(?:decode|decipher|decrypt|translate)\s+(?:this|the\s+following|it)\b.{0,120}?"
            r"\b(?:and|then)\s+(?:follow|execute|do|obey|run|carry\s+out|perform)\b",
        ),
        (
            0.75,
            r"(?:디코딩|복호화|해독)\w{0,3}\s*(?:한\s*)?(?:후|다음|뒤)?\s*(?:그대로\s*)?"
            r"(?:실행|따라|수행)",
        ),
        (0.75, r"(?:デコード|復号|解読)して(?:から)?(?:その)?(?:まま)?(?:実行|従|指示どおり)"),
    ],
}

# Words that make a split-up or decoded payload an attack rather than a puzzle.
_SENSITIVE = re.compile(
    r"password|passwort|contraseña|senha|mot de passe|secret|secreto|segreto|confidential|"
    r"confidencial|vertraulich|system|sistema|passcode|social security|unlock|"
    r"비밀|기밀|암호|시스템|パスワード|秘密|機密|システム|密码|系统",
)
# Encoded blobs (matched on the normalised text, not lower-cased: base64 is case-sensitive).
_BLOBS = (
    re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}"),
    re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[ :]?){16,}(?![0-9A-Fa-f])"),
    re.compile(r"(?<![01])(?:[01]{8} ?){6,}(?![01])"),
)
# The same, loosened, for the prefilter (hyperscan has no look-behind).
_BLOBS_PREFILTER = (rb"[A-Za-z0-9+/]{24}", rb"(?:[0-9A-Fa-f]{2}[ :]?){16}", rb"(?:[01]{8} ?){6}")
_PROSE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z',.?!]{1,}){3,}")
_MAX_BLOBS = 8
_MAX_BLOB_CHARS = 8192


@dataclass(frozen=True, slots=True)
class _Rule:
    """One compiled rule.

    Rules match the lower-cased normalised text (``cased`` ones, such as ``DAN``,
    the normalised text as it is). ``boundary``: the pattern began with ``\\b``,
    checked after the match (a leading assertion keeps ``re`` from skipping
    ahead to the first possible character). ``anchors``: lower-case strings one of
    which occurs in every match; a rule runs only on texts containing one (no
    anchors: it always runs).
    """

    family: str
    score: float
    pattern: re.Pattern[str]
    boundary: bool
    cased: bool
    anchors: tuple[str, ...]


def _lower_pattern(pattern: str) -> str:
    """Lower-case a pattern's literals, leaving escapes such as ``\\S`` alone."""
    return re.sub(r"(\\.)|([^\\]+)", lambda m: m.group(1) or m.group(2).lower(), pattern)


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """``(index, char, depth)`` for each character of a regex outside escapes and
    character classes; ``depth`` counts the open groups, the char itself included."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            depth += (char == "(") - (char == ")")
            yield i, char, depth
        i += 1


def _closing(pattern: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at ``open_at`` (-1 if none)."""
    for i, char, depth in _structure(pattern[open_at:]):
        if char == ")" and depth == 0:
            return open_at + i
    return -1


def _top_level_branches(pattern: str) -> list[str]:
    branches, start = [], 0
    for i, char, depth in _structure(pattern):
        if char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
    branches.append(pattern[start:])
    return branches


_LITERAL_ESCAPES = set("\\.()[]{}|?*+^$-/'\"<>:=#&~ ")


def _leading_literals(branch: str) -> list[str] | None:
    """The literals one of which starts every match of ``branch`` (None: unknown)."""
    if branch.startswith("(?:"):
        close = _closing(branch, 0)
        if close < 0 or (close + 1 < len(branch) and branch[close + 1] in "?*{"):
            return None
        return _anchors_of(branch[3:close])
    out, i = "", 0
    while i < len(branch):
        char = branch[i]
        if char == "\\" and i + 1 < len(branch) and branch[i + 1] in _LITERAL_ESCAPES:
            out += branch[i + 1]
            i += 2
        elif char == "\\" or char in ".^$*+?{}[]()|":
            break
        else:
            out += char
            i += 1
    if out and i < len(branch) and branch[i] in "?*{":
        out = out[:-1]  # the last character is optional
    return [out] if out else None


def _anchors_of(pattern: str) -> list[str] | None:
    anchors: list[str] = []
    for branch in _top_level_branches(pattern):
        found = _leading_literals(branch)
        if found is None:
            return None
        anchors.extend(found)
    return anchors


def _rule(family: str, score: float, pattern: str, anchors: tuple[str, ...] = ()) -> _Rule:
    """Compile one ``_FAMILIES`` entry (anchors are found unless given)."""
    cased = "(?-i:" in pattern
    boundary = pattern.startswith(r"\b") and len(_top_level_branches(pattern)) == 1
    body = pattern[2:] if boundary else pattern
    if not cased:
        body = _lower_pattern(body)
    if not anchors:
        anchors = tuple(sorted(set(_anchors_of(_lower_pattern(body)) or ())))
    compiled = re.compile(body, _F if cased else re.DOTALL)
    return _Rule(family, score, compiled, boundary, cased, anchors)


def _build_rules() -> tuple[_Rule, ...]:
    rules: list[_Rule] = []
    for family, entries in _FAMILIES.items():
        for entry in entries:
            rules.append(_rule(family, *entry))
    return tuple(rules)


_RULES = _build_rules()
# Rules also run on decoded payloads (base64, hex, binary).
_DECODED_FAMILIES = ("override", "exfiltrate", "mode")


class _Prefilter:
    """One hyperscan scan says which rules can match (by their anchors) and whether
    the text holds an encoded blob; only those rules then run. Built once, lazily;
    each thread scans with its own scratch space."""

    def __init__(self, rules: tuple[_Rule, ...]) -> None:
        expressions: list[bytes] = []
        ids: list[int] = []
        for number, rule in enumerate(rules):
            for anchor in rule.anchors:
                expressions.append(re.escape(anchor).encode("utf-8"))
                ids.append(number)
        self.blob_id = len(rules)
        for blob in _BLOBS_PREFILTER:
            expressions.append(blob)
            ids.append(self.blob_id)
        self.always = frozenset(n for n, rule in enumerate(rules) if not rule.anchors)
        self.db = hyperscan.Database()
        self.db.compile(
            expressions=expressions,
            ids=ids,
            elements=len(expressions),
            flags=[hyperscan.HS_FLAG_SINGLEMATCH] * len(expressions),
        )
        self._local = threading.local()

    def candidates(self, lowered: str, original: str) -> set[int]:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.db)
        found = set(self.always)

        def on_match(rule: int, start: int, end: int, flags: int, context: object) -> None:
            found.add(rule)

        self.db.scan(
            lowered.encode("utf-8", "surrogatepass"), match_event_handler=on_match, scratch=scratch
        )
        if self.blob_id not in found and lowered != original:
            # Blobs are case-sensitive; the lower-cased text can only lose one when it
            # changed, so look at the original too.
            self.db.scan(
                original.encode("utf-8", "surrogatepass"),
                match_event_handler=on_match,
                scratch=scratch,
            )
        return found


_prefilter_lock = threading.Lock()
_prefilters: list[_Prefilter] = []


def _prefilter() -> _Prefilter:
    if not _prefilters:
        with _prefilter_lock:
            if not _prefilters:
                _prefilters.append(_Prefilter(_RULES))
    return _prefilters[0]


def _lowered(text: str) -> str:
    """``text.lower()``, one character for one (a few characters lower to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def rule_hits(text: str, *, prefilter: bool = True) -> list[tuple[int, int, float, str]]:
    """``(start, end, score, family)`` for every rule match in normalised ``text``.

    ``prefilter=False`` runs every rule (the tests check both ways agree).
    """
    lowered = _lowered(text)
    if prefilter:
        candidates = _prefilter().candidates(lowered, text)
        rules = [rule for number, rule in enumerate(_RULES) if number in candidates]
        blobs = _prefilter().blob_id in candidates
    else:
        rules, blobs = list(_RULES), True
    hits: list[tuple[int, int, float, str]] = []
    for rule in rules:
        view = text if rule.cased else lowered
        for match in rule.pattern.finditer(view):
            start, end = match.span()
            if end <= start or (rule.boundary and start and _word_char(view[start - 1])):
                continue
            score = rule.score
            if rule.family == "split" and _SENSITIVE.search(lowered):
                score = 0.8
            hits.append((start, end, score, rule.family))
    if blobs:
        hits.extend(_decoded_hits(text))
    return hits


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _decoded_hits(text: str) -> list[tuple[int, int, float, str]]:
    """Base64, hex and binary blobs that decode to an attack (0.9) or to hidden prose (0.6)."""
    hits: list[tuple[int, int, float, str]] = []
    found = 0
    for pattern, decode in zip(_BLOBS, (_from_base64, _from_hex, _from_binary), strict=True):
        for match in pattern.finditer(text):
            found += 1
            if found > _MAX_BLOBS:
                return hits
            decoded = decode(match.group()[:_MAX_BLOB_CHARS])
            if decoded is None:
                continue
            inner = rule_hits(decoded, prefilter=False) if len(decoded) < 4096 else []
            if any(hit[3] in _DECODED_FAMILIES for hit in inner):
                hits.append((match.start(), match.end(), 0.9, "obfuscated"))
            elif _PROSE.search(decoded):
                hits.append((match.start(), match.end(), 0.6, "obfuscated"))
    return hits


def _printable(data: bytes) -> str | None:
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not decoded or sum(c.isprintable() or c.isspace() for c in decoded) < 0.95 * len(decoded):
        return None
    return decoded


def _from_base64(blob: str) -> str | None:
    if blob.isalpha() and (blob.islower() or blob.isupper()):
        return None  # one long word in one case, not base64
    try:
        data = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    return _printable(data)


def _from_hex(blob: str) -> str | None:
    digits = re.sub(r"[ :]", "", blob)
    if len(digits) % 2:
        digits = digits[:-1]
    try:
        return _printable(bytes.fromhex(digits))
    except ValueError:
        return None


def _from_binary(blob: str) -> str | None:
    bits = blob.replace(" ", "")
    data = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits) - 7, 8))
    return _printable(data)


# --- classifier --------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]")
_SPACES = re.compile(r"\s+")
_PRIME = np.uint64(0x100000001B3)
# Fibonacci hashing: the top bits of the product with 2^64 / golden ratio are the bucket.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def fold(text: str) -> str:
    """The classifier's view of already normalised text: lower case, every digit ``0``,
    whitespace runs as one space."""
    return _SPACES.sub(" ", _DIGITS.sub("0", text.lower())).strip()


# Hiragana: in Japanese, mostly endings, particles and politeness around the words.
_HIRAGANA = re.compile(r"[\u3041-\u309f]+")
# Code points of the content view are moved above Unicode so its n-grams hash apart.
_CONTENT_SALT = np.uint64(1 << 21)


def content_view(folded: str) -> str:
    """Japanese text with its hiragana runs replaced by one space: the kanji,
    katakana and Latin words in order, whatever the inflection or register
    around them ("お忘れいただき" and "忘れて" both leave "忘"). Empty when the
    text has no hiragana."""
    if not _HIRAGANA.search(folded):
        return ""
    return _SPACES.sub(" ", _HIRAGANA.sub(" ", folded)).strip()


def features(
    text: str, dim: int = DIM, ngrams: tuple[int, ...] = NGRAMS, *, content: bool = False
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Hashed character n-grams of ``text`` (normalised and folded here) as sparse
    ``(indices, values)``: sorted unique bucket indices and L2-normalised
    ``1 + log(count)`` weights. ``dim`` must be a power of two. With ``content``,
    the n-grams of ``content_view`` are added, hashed apart. The same function
    serves training (``bench/train/train_injection.py``) and inference."""
    return folded_features(fold(normalize(text).text), dim, ngrams, content=content)


def _ngram_hashes(text: str, ngrams: tuple[int, ...], salt: np.uint64) -> npt.NDArray[np.uint64]:
    padded = f" {text} "
    raw = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes: npt.NDArray[np.uint64] = raw.astype(np.uint64) | salt
    # Polynomial hash of every n-gram, one array per length; an n-gram's hash has
    # degree n - 1 in the prime, so lengths do not collide on purpose.
    parts: list[npt.NDArray[np.uint64]] = [codes] if 1 in ngrams else []
    rolling = codes
    for n in range(2, max(ngrams) + 1):
        if len(rolling) < 2:
            break
        rolling = rolling[:-1] * _PRIME + codes[n - 1 :]
        if n in ngrams:
            parts.append(rolling)
    return np.concatenate(parts)


def folded_features(
    folded: str, dim: int = DIM, ngrams: tuple[int, ...] = NGRAMS, *, content: bool = False
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """``features`` for text that is already normalised and folded."""
    hashed = _ngram_hashes(folded, ngrams, np.uint64(0))
    view = content_view(folded) if content else ""
    if view:
        hashed = np.concatenate([hashed, _ngram_hashes(view, ngrams, _CONTENT_SALT)])
    hashed *= _GOLDEN
    hashed >>= np.uint64(65 - dim.bit_length())
    hashed.sort()
    first = np.empty(len(hashed), dtype=bool)
    first[0] = True
    np.not_equal(hashed[1:], hashed[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(hashed))).astype(np.float32)
    values = (1.0 + np.log(counts)).astype(np.float32)
    values /= np.float32(np.sqrt(np.dot(values, values)))
    return hashed[starts].astype(np.int64), values


@dataclass(frozen=True)
class InjectionModel:
    """Logistic-regression weights over hashed n-grams, and the operating point.

    ``threshold`` is the probability that is mapped onto ``OPERATING_SCORE``.
    """

    weights: npt.NDArray[np.float32]
    bias: float
    threshold: float
    ngrams: tuple[int, ...] = NGRAMS
    content: bool = False  # n-grams of ``content_view`` too

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def probability(self, folded: str) -> float:
        index, values = folded_features(folded, self.dim, self.ngrams, content=self.content)
        if not len(index):
            return 0.0
        z = float(np.dot(values, self.weights[index])) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def score(self, folded: str) -> float:
        """The probability mapped to ``[0, 1]`` with the operating point at 0.7."""
        return calibrate(self.probability(folded), self.threshold)

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "weights": self.weights.astype(np.float16),
            "bias": np.array([self.bias], dtype=np.float32),
            "threshold": np.array([self.threshold], dtype=np.float32),
            "ngrams": np.array(self.ngrams, dtype=np.int8),
            "content": np.array([self.content]),
        }
        arrays.update({key: np.array(value) for key, value in meta.items()})
        np.savez_compressed(path, allow_pickle=False, **arrays)

    @classmethod
    def from_npz(cls, data: dict[str, npt.NDArray[np.generic]]) -> InjectionModel:
        weights = np.asarray(data["weights"], dtype=np.float32)
        if weights.ndim != 1 or weights.shape[0] & (weights.shape[0] - 1):
            raise ValueError("injection model: weights must be one power-of-two vector")
        return cls(
            weights=weights,
            bias=float(np.asarray(data["bias"]).reshape(-1)[0]),
            threshold=float(np.asarray(data["threshold"]).reshape(-1)[0]),
            ngrams=tuple(int(n) for n in np.asarray(data["ngrams"]).reshape(-1)),
            content=bool(np.asarray(data["content"]).reshape(-1)[0])
            if "content" in data
            else False,
        )


def calibrate(probability: float, threshold: float) -> float:
    """Piecewise-linear map of ``[0, threshold, 1]`` onto ``[0, 0.7, 1]``."""
    return packaged.calibrate(probability, threshold, OPERATING_SCORE)


_lock = threading.Lock()
_loaded: list[InjectionModel] = []


def load_model() -> InjectionModel:
    """The packaged model (``data/injection_model.npz``), loaded once, thread-safe."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            _loaded.append(InjectionModel.from_npz(packaged.load_npz("injection_model.npz")))
        return _loaded[0]


def _windows(length: int) -> list[tuple[int, int]]:
    if length <= WHOLE:
        return [(0, length)]
    starts = [*range(0, length - WINDOW, STEP), length - WINDOW]
    return [(start, start + WINDOW) for start in starts]


def _segments(text: str) -> list[tuple[int, int]]:
    """What the classifier scores: the whole text (in windows when long), and, when
    it has several sentences, each sentence and each pair of neighbours (at most
    ``WINDOW`` characters). An instruction planted in a long document is a
    sentence or two; scored only inside a 500-character window, the ordinary text
    around it dilutes its n-grams below the threshold."""
    segments = _windows(len(text))
    sentences = split_sentences(text)
    if len(sentences) > 1:
        for i, (start, end) in enumerate(sentences):
            if end - start <= WINDOW:
                segments.append((start, end))
            if i + 1 < len(sentences) and sentences[i + 1][1] - start <= WINDOW:
                segments.append((start, sentences[i + 1][1]))
    return segments


def worst_segment(model: InjectionModel, text: str) -> tuple[tuple[int, int] | None, float]:
    """The segment of normalised ``text`` (see ``_segments``) the model thinks most
    likely an attack, and that probability. Training chooses the operating point
    on this maximum, so scoring many segments does not raise false positives."""
    best_probability, best_span = 0.0, None
    for start, end in _segments(text):
        folded = fold(text[start:end])
        if len(folded) < MIN_CHARS:
            continue
        probability = model.probability(folded)
        if best_span is None or probability > best_probability:
            best_probability, best_span = probability, (start, end)
    return best_span, best_probability


# --- the check ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Suspect:
    """The segment the character classifier found most suspicious, on any reading."""

    text: str
    probability: float
    span: tuple[int, int]  # in the original text


# A URL as the classifier leaves it out: a scheme or www., up to a space,
# a quote or a bracket (full-width ones too).
_URL = re.compile(
    r"(?i:https?|ftp)://[^\s<>\"'()（）「」\[\]]+|(?i:www)\.[^\s<>\"'()（）「」\[\]]+"
)


def without_urls(text: str) -> str:
    """``text`` with each URL replaced by as many spaces (offsets hold)."""
    if "://" not in text and "www." not in text.lower():
        return text
    return _URL.sub(lambda m: " " * len(m.group()), text)


class InjectionCheck:
    """``TextCheck``: prompt-injection and jailbreak attempts (kind ``PROMPT_INJECTION``).

    ``rules`` / ``classifier`` / ``embedding`` switch the three layers (the first
    two on by default, the embedding stage on with the policy's
    ``output.injection_embedding``; it needs the classifier, which picks what it
    reads); ``model`` and ``embedding_model`` replace the packaged models.
    """

    name = "injection"

    def __init__(
        self,
        *,
        rules: bool = True,
        classifier: bool = True,
        embedding: bool = False,
        model: InjectionModel | None = None,
        embedding_model: EmbeddingInjectionModel | None = None,
    ) -> None:
        self.rules = rules
        self.classifier = classifier
        self.embedding = embedding and classifier
        self._model = model
        self._embedding_model = embedding_model

    def warm_up(self) -> None:
        if self.classifier and self._model is None:
            load_model()
        if self.embedding:
            from gwanmun.check.embeddings import warm_up as warm_up_embeddings

            if self._embedding_model is None:
                load_embedding_model()
            warm_up_embeddings()  # the sentence encoder: about 1 s and 110 MB, once

    def check(self, text: str) -> list[Finding]:
        return self._analyse(text)[0]

    def score(self, text: str) -> float:
        """The text's injection score in ``[0, 1]``: the larger of rules and classifier."""
        return self._analyse(text)[1]

    def _analyse(self, text: str) -> tuple[list[Finding], float]:
        if not text or text.isspace():
            return [], 0.0
        normalized = normalize(text)
        # Letter-spaced words and separated jamo, read back (``readings``): scored
        # too, a finding on one of them covers the whole text.
        others = readings(normalized.text)
        whole = normalized.span_to_original(0, len(normalized.text))
        findings: list[Finding] = []
        best = 0.0
        if self.rules:
            hits = rule_hits(normalized.text)
            bonus = 0.05 * (len({hit[3] for hit in hits}) - 1) if hits else 0.0
            for start, end, score, _family in sorted(hits):
                final = round(min(1.0, score + bonus), 3)
                lo, hi = normalized.span_to_original(start, end)
                findings.append(Finding(KIND, lo, hi, final, self.name))
                best = max(best, final)
            for other in others:
                other_hits = rule_hits(other)
                if other_hits:
                    final = round(min(1.0, max(hit[2] for hit in other_hits)), 3)
                    findings.append(Finding(KIND, *whole, final, self.name))
                    best = max(best, final)
        if self.classifier:
            suspect = self._classify(normalized)
            score = 0.0
            model = self._model or load_model()
            if suspect is not None:
                score = calibrate(suspect.probability, model.threshold)
                if score >= REPORT_FLOOR:
                    findings.append(Finding(KIND, *suspect.span, round(score, 3), self.name))
            best = max(best, score)
            for other in map(without_urls, others):
                other_span, probability = worst_segment(model, other)
                other_score = calibrate(probability, model.threshold)
                if other_score > best and other_score >= REPORT_FLOOR:
                    findings.append(Finding(KIND, *whole, round(other_score, 3), self.name))
                best = max(best, other_score)
                if other_span is not None and (
                    suspect is None or probability > suspect.probability
                ):
                    suspect = _Suspect(other[slice(*other_span)].strip(), probability, whole)
            korean_or_japanese = any(applies(view) for view in (normalized.text, *others))
            if self.embedding and suspect is not None and korean_or_japanese:
                best = max(best, self._second_opinion(suspect, findings))
        findings.sort(key=lambda f: (f.start, f.end))
        return findings, best

    def _classify(self, normalized: Normalized) -> _Suspect | None:
        model = self._model or load_model()
        text = without_urls(normalized.text)
        best_span, probability = worst_segment(model, text)
        if best_span is None:
            return None
        start, end = best_span
        window = text[start:end]
        start += len(window) - len(window.lstrip())
        end -= len(window) - len(window.rstrip())
        span = normalized.span_to_original(start, max(start, end))
        return _Suspect(text[start : max(start, end)], probability, span)

    def _second_opinion(self, suspect: _Suspect, findings: list[Finding]) -> float:
        """The embedding stage's score for ``suspect`` (0 under the model's floor)."""
        model = self._embedding_model or load_embedding_model()
        if suspect.probability < model.floor or negates_an_override(suspect.text):
            return 0.0
        score = calibrate(model.probability(suspect.text), model.threshold)
        if score >= REPORT_FLOOR:
            findings.append(Finding(KIND, *suspect.span, round(score, 3), self.name))
        return score
