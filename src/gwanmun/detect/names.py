"""Names of people in Korean, Japanese and English (kind PERSON).  [pure given models]

Korean and Japanese: the learned tagger in ``person_model`` scores each
kiwipiepy / sudachipy morpheme. For Korean, the rules below are one of its
features: proper nouns (NNP) that start with a Korean surname, raised by titles
and honorifics (씨, 님, 과장, 주무관 …); a surname alone before 씨/모 (박씨,
김모 씨) as news and minutes write it. With ``learned=False`` the rules decide
alone (Japanese: sudachipy 人名 tokens, 姓 and 名 merged, raised by honorifics
さん, 様, 氏 …). English: a title (Mr., Dr. …) or a common given name followed
by a capitalised surname.

The analysers load on first use (a second or two), once per process.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import make
from gwanmun.detect.person_model import (
    JA_SKIP,
    KO_SKIP,
    Candidates,
    DigestMemo,
    Morpheme,
    japanese_features,
    korean_features,
    load_model,
)
from gwanmun.types import Finding

_SURNAMES_1 = set(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민나진지엄채원천방공"
    "현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부"
)
KO_SURNAMES = frozenset(_SURNAMES_1)
_SURNAMES_2 = {"황보", "남궁", "제갈", "선우", "독고", "사공", "서문", "동방"}
_KO_TITLES = tuple(
    [
        "씨",
        "님",
        "군",
        "양",
        "과장",
        "부장",
        "차장",
        "대리",
        "주무관",
        "사무관",
        "서기관",
        "팀장",
        "국장",
        "실장",
        "계장",
        "주임",
        "의원",
        "장관",
        "차관",
        "시장",
        "구청장",
        "군수",
        "도지사",
        "대표",
        "교수",
        "선생",
        "기자",
        "원장",
        "회장",
        "사장",
        "총장",
        "위원",
        "위원장",
        "변호사",
        "박사",
        "대통령",
        "총리",
        "감독",
        "선수",
        "작가",
        "민원인",
        "담당자",
        "여사",
        "옹",
    ]
)
_KO_NOT_NAMES = re.compile(
    r"(?:시|도|구|군|동|읍|면|리|역|청|원|부|처|대학|학교|당|사|관|국|산|강|호)$"
)
_KO_SURNAME_ONLY = re.compile(
    r"(?<![가-힣])(?P<s>[" + "".join(sorted(_SURNAMES_1)) + r"])(?=모?[ ]?씨|모[ ]?\(|모[ ]|모$|"
    r"[ ](?:선수|감독|위원장|위원|의원|장관|대표|회장|사장|셰프|기자|교수|부장|과장|팀장|청장|"
    r"국장|씨|대통령|총리|원장|변호사|시장|지사)(?![가-힣]{2}))"
)
# Initials standing for a person in news and minutes: "A씨", "B 씨".
_KO_INITIAL = re.compile(r"(?<![A-Za-z0-9])(?P<s>[A-Z])(?=[ ]?씨)")
# Proper nouns that start like a surname but are places and countries.
_KO_PLACES = frozenset(
    [
        "한국",
        "한미",
        "한일",
        "한중",
        "한반도",
        "한강",
        "서울",
        "서해",
        "서해안",
        "남해",
        "동해",
        "인천",
        "부산",
        "대구",
        "광주",
        "대전",
        "울산",
        "세종",
        "경기",
        "강원",
        "충북",
        "충남",
        "전북",
        "전남",
        "경북",
        "경남",
        "제주",
        "이란",
        "이라크",
        "이스라엘",
        "이집트",
        "이탈리아",
        "인도",
        "인도네시아",
        "일본",
        "중국",
        "미국",
        "영국",
        "독일",
        "프랑스",
        "러시아",
        "호주",
        "캐나다",
        "베트남",
        "태국",
        "대만",
        "홍콩",
        "유럽",
        "아시아",
        "북한",
        "남한",
        "평양",
        "개성",
        "원산",
        "강동",
        "부평",
        "강남",
        "강북",
        "강서",
        "송파",
        "마포",
        "용산",
        "성남",
        "수원",
        "고양",
        "안양",
        "안산",
        "구로",
        "노원",
        "도봉",
        "은평",
        "종로",
        "중구",
        "동구",
        "서구",
        "남구",
        "북구",
        "장마",
        "조선",
        "고려",
        "신라",
        "백제",
    ]
)
_JA_HONORIFICS = tuple(
    [
        "さん",
        "様",
        "さま",
        "氏",
        "君",
        "くん",
        "ちゃん",
        "先生",
        "課長",
        "部長",
        "係長",
        "主任",
        "社長",
        "議員",
        "市長",
        "知事",
        "大臣",
        "選手",
        "監督",
        "教授",
        "殿",
    ]
)
# Never part of a name: the honorifics and titles above, and words for the
# people just named (鈴木両氏, 佐藤夫妻) or titles that follow a name — the model
# had scored 両氏 and 両名 as part of the name before them.
_JA_AFTER_NAME = frozenset(
    [
        *_JA_HONORIFICS,
        "両氏",
        "両名",
        "夫妻",
        "夫人",
        "一家",
        "各位",
        "博士",
        "首相",
        "大統領",
        "会長",
        "委員長",
        "議長",
        "局長",
        "殿下",
        "陛下",
    ]
)
EN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "Madam", "Mx")
_EN_TITLED = re.compile(
    r"\b(?:" + "|".join(EN_TITLES) + r")\.?[ ](?P<n>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})"
)
_EN_GIVEN = (
    "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Charles|Mary|Patricia|Jennifer|"
    "Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Daniel|Matthew|Anthony|Mark|Paul|Steven|"
    "Andrew|Joshua|Kevin|Brian|George|Emily|Emma|Olivia|Sophia|Anna|Laura|Maria|Jane|Peter|Alice|"
    "Tom|Jack|Harry|Lucy|Grace|Chris|Alex|Sam|Ben|Kate|Anne|Helen|Rachel|Rebecca|Amy|Julia|Nancy"
)
EN_GIVEN_NAMES = tuple(_EN_GIVEN.split("|"))
_EN_NAMED = re.compile(r"\b(?P<n>(?:" + _EN_GIVEN + r")[ ][A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_EN_NAME_WORDS = frozenset(w.casefold() for w in (*EN_TITLES, *EN_GIVEN_NAMES))
# Names written in lower case (john smith, mr. kim, dr. tanaka): a given name
# the rules know followed by a common surname — English, Korean or Japanese in
# Latin letters, none of them an ordinary word (no young, king, song, long) —
# or a title with its full stop and such a surname after it.
_EN_SURNAMES = (
    "smith|johnson|williams|brown|jones|garcia|miller|davis|rodriguez|martinez|wilson|anderson|"
    "taylor|thomas|moore|jackson|martin|thompson|harris|clark|lewis|robinson|allen|scott|nelson|"
    "mitchell|roberts|phillips|campbell|evans|edwards|collins|stewart|morris|murphy|rogers|"
    "morgan|cooper|peterson|bailey|kelly|howard|richardson|watson|bennett|hughes|sanders|myers|"
    "ross|foster|kim|lee|park|choi|jung|jeong|kang|cho|yoon|jang|lim|shin|kwon|hwang|ahn|yoo|"
    "sato|suzuki|takahashi|tanaka|watanabe|ito|yamamoto|nakamura|kobayashi|kato|yoshida|yamada|"
    "sasaki|yamaguchi|matsumoto|inoue|kimura|hayashi|shimizu"
)
_EN_LOWER_NAMED = re.compile(
    r"(?<![A-Za-z])(?P<n>(?:" + _EN_GIVEN.lower() + r")[ ](?:" + _EN_SURNAMES + r"))(?![A-Za-z])"
)
# The same in capitals (JOHN SMITH), and surname first with a comma (Smith, John;
# smith, john; SMITH, JOHN), as lists and forms write them.
_EN_UPPER_NAMED = re.compile(
    r"(?<![A-Za-z])(?P<n>(?:" + _EN_GIVEN.upper() + r")[ ](?:" + _EN_SURNAMES.upper() + r"))"
    r"(?![A-Za-z])"
)
_EN_REVERSED = re.compile(
    r"(?<![A-Za-z])(?P<n>(?i:" + _EN_SURNAMES + r"),[ ]?(?i:" + _EN_GIVEN + r"))(?![A-Za-z])"
)
_EN_LOWER_TITLED = re.compile(
    r"(?<![A-Za-z])(?:mr|mrs|ms|dr|prof)\.[ ]?(?P<n>" + f"(?:{_EN_SURNAMES})" + r")(?![A-Za-z])"
)


def could_continue_name(word: str, previous: str, *, incomplete: bool) -> bool:
    """Whether the capitalised English ``word`` (punctuation stripped) may still
    be read as part of a name: it is a title or a given name this detector
    knows, it follows one (``previous``), or — ``incomplete``, still being
    written — it could grow into one. The output guard holds such a word back."""
    folded = word.casefold()
    if folded in _EN_NAME_WORDS or previous.casefold() in _EN_NAME_WORDS:
        return True
    return incomplete and len(folded) > 1 and any(n.startswith(folded) for n in _EN_NAME_WORDS)


# Kiwi's derivational suffixes that make a noun a verb or an adjective (문의하다,
# 안녕하다): a noun read with one of them is a predicate, never a name.
_KO_PREDICATE_SUFFIXES = ("XSV", "XSA")


def korean_word_is_name_free(word: str) -> bool:
    """Whether a complete Korean word (eojeol, punctuation around it allowed) can
    be no part of a person's name, whatever comes after it: every morpheme Kiwi
    reads in it is one the tagger never scores (endings, particles, verbs,
    adjectives, adverbs, pronouns, numbers, punctuation), or a noun made a
    predicate by 하다 (문의하세요). The output guard releases such a word
    without waiting for the word after it. Remembered (answers repeat words) for
    4,096 words, by a digest (``DigestMemo``)."""
    return _NAME_FREE.get(word, _name_free)


def _name_free(word: str) -> bool:
    tokens = _kiwi().tokenize(word)
    for i, token in enumerate(tokens):
        if token.tag.startswith(KO_SKIP):
            continue
        following = tokens[i + 1].tag if i + 1 < len(tokens) else ""
        if token.tag == "NNG" and following.startswith(_KO_PREDICATE_SUFFIXES):
            continue
        return False
    return bool(tokens)


_NAME_FREE: DigestMemo[bool] = DigestMemo(4096)
_COMMON_WORDS: DigestMemo[bool] = DigestMemo(4096)

# How many morphemes after a candidate the Japanese tagger reads (its window),
# and after the end of the noun run it is in (the word after the run).
_JA_RIGHT_CONTEXT = 2


def japanese_final_prefix(run: str) -> int:
    """How much of an unspaced Japanese run (still being written) the name
    tagger has decided for good: up to the start of the last two morphemes
    (sudachipy may still join them with what comes), and up to the start of
    the noun run of any morpheme that could be a name and has not yet
    ``_JA_RIGHT_CONTEXT`` morphemes after its run. The output guard holds
    the rest."""
    morphemes = _japanese_morphemes(run)
    if len(morphemes) <= _JA_RIGHT_CONTEXT:
        return 0
    cut = morphemes[-_JA_RIGHT_CONTEXT].start
    i = 0
    while i < len(morphemes) and morphemes[i].start < cut:
        j = i
        while (
            j + 1 < len(morphemes)
            and _ja_candidate(morphemes[j + 1])
            and _ja_candidate(morphemes[i])
        ):
            j += 1  # the noun run: 田中 + 太郎 is one name
        if _ja_candidate(morphemes[i]) and j + _JA_RIGHT_CONTEXT >= len(morphemes) - 1:
            return morphemes[i].start
        i = j + 1
    return cut


def _ja_candidate(m: Morpheme) -> bool:
    return m.tag.split("/", 1)[0] not in JA_SKIP and m.form not in _JA_AFTER_NAME


_lock = threading.Lock()
_analysers: dict[str, Any] = {}


def _kiwi() -> Any:
    with _lock:
        if "kiwi" not in _analysers:
            from kiwipiepy import Kiwi

            _analysers["kiwi"] = Kiwi()
        return _analysers["kiwi"]


_local = threading.local()


def _sudachi() -> Any:
    """One sudachipy tokenizer per thread over a shared dictionary: a tokenizer
    refuses to be used by two threads at once ("Tokenizer is already in use")."""
    with _lock:
        if "sudachi" not in _analysers:
            from sudachipy import Dictionary, SplitMode

            _analysers["sudachi"] = (Dictionary(dict="core"), SplitMode.C)
        dictionary, mode = _analysers["sudachi"]
    tokenizer = getattr(_local, "sudachi", None)
    if tokenizer is None:
        tokenizer = _local.sudachi = dictionary.tokenizer()
    return tokenizer, mode


# sudachipy refuses input over 49,149 bytes; 8,000 characters stay below it even
# at four bytes a character.
_SUDACHI_CHUNK = 8000


def chunks(text: str, size: int) -> list[tuple[int, str]]:
    """``text`` in pieces of at most ``size`` characters, cut after a sentence end
    or line break where one is near, with each piece's offset."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind(mark, start + size // 2, end) for mark in "。\n.!?！？")
            end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _japanese_morphemes(text: str) -> list[Morpheme]:
    """sudachipy's morphemes of ``text``: part of speech, four levels, and
    ``/OOV`` for a word its dictionary does not hold; the normalised form."""
    tokenizer, mode = _sudachi()
    out: list[Morpheme] = []
    for base, chunk in chunks(text, _SUDACHI_CHUNK):
        for m in tokenizer.tokenize(chunk, mode):
            tag = _JA_TAGS.get(m.part_of_speech_id())
            if tag is None:
                tag = _JA_TAGS[m.part_of_speech_id()] = "/".join(m.part_of_speech()[:4])
            out.append(
                Morpheme(
                    m.surface(),
                    tag + "/OOV" if m.is_oov() else tag,
                    base + m.begin(),
                    base + m.end(),
                    norm=m.normalized_form(),
                )
            )
    return out


# A part of speech's tag by its id in the one sudachipy dictionary loaded
# (``_sudachi``): joining the four levels anew for each morpheme was about a
# third of building the morphemes (~0.1 ms a KB). Tags are the dictionary's,
# never text.
_JA_TAGS: dict[int, str] = {}


def _common_word(form: str) -> bool:
    """Whether Kiwi, seeing ``form`` on its own, reads it as anything but a proper noun
    (다음, 붙임): in a sentence it may still tag such a word NNP. Remembered for
    4,096 forms, by a digest (``DigestMemo``)."""
    return _COMMON_WORDS.get(form, _read_alone_as_common)


def _read_alone_as_common(form: str) -> bool:
    best = _kiwi().analyze(form, top_n=1)[0][0]
    return not (len(best) == 1 and best[0].tag == "NNP")


# Proper nouns of office work that the taggers (and the rules) took for people:
# languages and common software. A prompt "한국어로 번역" must reach the model.
_NOT_PEOPLE = frozenset(
    [
        "한국어",
        "일본어",
        "중국어",
        "영어",
        "독일어",
        "프랑스어",
        "스페인어",
        "러시아어",
        "베트남어",
        "태국어",
        "아랍어",
        "몽골어",
        "인도네시아어",
        "포르투갈어",
        "이탈리아어",
        "한국말",
        "일본말",
        "한글",
        "엑셀",
        "워드",
        "파워포인트",
        "아웃룩",
        "日本語",
        "韓国語",
        "英語",
        "中国語",
        "朝鮮語",
        "エクセル",
        "ワード",
        "パワーポイント",
        "English",
        "Korean",
        "Japanese",
        "Chinese",
        "Hangul",
        "Excel",
        "Word",
        "PowerPoint",
        "Outlook",
    ]
)


def _not_a_name(text: str, start: int, end: int) -> bool:
    """Not a name whatever the model says: a bracketed marker that drafts and
    templates use ([미정], [要確認], {department}), a lower-case Latin word, or a
    language or office program (``_NOT_PEOPLE``)."""
    word = text[start:end]
    if word in _NOT_PEOPLE or word in _KO_TITLES:
        return True  # 김민수 주무관에게: the title is not a second name
    bracketed = text[start - 1 : start] in ("[", "{", "【") and text[end : end + 1] in (
        "]",
        "}",
        "】",
    )
    return bracketed or (text[start:end].isascii() and text[start:end].islower())


def overlap_scores(morphemes: Sequence[Morpheme], findings: Sequence[Finding]) -> list[float]:
    """Per morpheme, the highest score of the findings that overlap it (0.0 if
    none). Morphemes come in text order and their ends never go back (Kiwi gives
    하 and 었 of 했 the same span), so each finding looks only at the morphemes
    just before its end: linear in the text, where comparing every pair was
    quadratic (0.8 s of 1 s for 100 KB of Korean)."""
    scores = [0.0] * len(morphemes)
    starts = [m.start for m in morphemes]
    for finding in findings:
        i = bisect.bisect_left(starts, finding.end) - 1
        while i >= 0 and morphemes[i].end > finding.start:
            scores[i] = max(scores[i], finding.score)
            i -= 1
    return scores


_HANGUL = re.compile(r"[가-힣]")
_KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# A sentence ends at a full stop, question or exclamation mark (with any closing
# quotes or brackets after it) followed by white space — in Japanese also with
# none — or at a line break.
_SENTENCE_END = re.compile(r"[.!?]['\"”’)\]」』）】]*\s+|[。！？][」』）】]*\s*|\n\s*")


def segments(text: str) -> list[tuple[int, int]]:
    """``text`` cut into sentences, as ``(start, end)`` offsets that cover it
    end to end (the white space after a sentence belongs to it). The person
    detector reads each on its own — as it was trained, on single sentences —
    so a sentence's names do not depend on the text around it and can be
    remembered (``SentenceCache``)."""
    out: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            out.append((start, match.end()))
            start = match.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


# How much of the sentence before one it is read with: its last word (and the
# punctuation and white space after it), if that is at most this many
# characters, else the punctuation and white space alone. The morphemes right
# before a word are among the model's features and steer the analyser: a
# sentence read with none of them took, now and then, its first word for a
# name (bench/quality/eval_person_texts.py). Part of a word would be read as
# an unknown one, which costs the analyser most.
LEAD_IN = 12
_LEAD_CHARS = frozenset(".!?。！？\"'”’)]」』）】 \t\n\r\u3000")


def lead_in(text: str, start: int) -> int:
    """How many characters before ``start`` (a sentence's start) it is read with."""
    tail = 0
    while tail < start and text[start - tail - 1] in _LEAD_CHARS:
        tail += 1
    lo = max(0, start - LEAD_IN - 1)
    space = text.rfind(" ", lo, start - tail)
    if space >= 0:
        return start - space - 1
    return start if start <= LEAD_IN else min(tail, LEAD_IN)


class SentenceCache:
    """The names found in a sentence, by a digest of it, for the most recent
    ``size`` sentences: requests repeat sentences (a template drafted again
    with other values, a conversation resent every turn, an answer that
    quotes the question), and morphology is most of the person detector's
    cost. Holds offsets and scores — never the text or a name; bounded
    (least recently used first out); shared by the input guard and the
    output guard's re-scan, which use the same detector."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, tuple[tuple[int, int, float], ...]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(read: str, lead: int) -> bytes:
        """A digest of the text read and where in it the sentence starts."""
        digest = hashlib.blake2b(read.encode("utf-8", "surrogatepass"), digest_size=16)
        digest.update(lead.to_bytes(4, "little"))
        return digest.digest()

    def get(self, key: bytes) -> tuple[tuple[int, int, float], ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: bytes, spans: tuple[tuple[int, int, float], ...]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = spans
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True, slots=True)
class _Sentence:
    """A sentence not in the cache: where it starts in the text, how much of
    the text before it is read with it (``lead``), what is read, its key."""

    start: int
    lead: int
    read: str
    key: bytes
    korean: bool
    japanese: bool


def _has_surname(name: str) -> bool:
    return name[:2] in _SURNAMES_2 or name[0] in _SURNAMES_1


class PersonNames:
    """``learned`` (the default) decides Korean and Japanese names with the
    trained tagger in ``person_model`` (the rules below become one of its
    features); ``learned=False`` keeps the rules alone (the benchmark's baseline)."""

    id = "person_names"
    kinds = ("PERSON",)

    def __init__(self, *, learned: bool = True, cache_size: int = 4096) -> None:
        self.learned = learned
        self.cache = SentenceCache(cache_size)

    def warm_up(self) -> None:
        """Load both analysers and both models and run them once (about 4 s), so
        the first request is not the one that pays for it."""
        self.detect("김민수 주무관과 田中太郎さん")

    def detect(self, text: str) -> list[Finding]:
        """Korean and Japanese names sentence by sentence (``segments``), each
        sentence's looked up in ``cache`` first; English names (rules over the
        whole text: "Mr. Kim" spans a full stop)."""
        found: list[Finding] = []
        unseen: list[_Sentence] = []
        for start, end in segments(text):
            sentence = text[start:end]
            korean = _HANGUL.search(sentence) is not None
            japanese = _KANA_KANJI.search(sentence) is not None
            if not (korean or japanese):
                continue
            # Read with the end of the sentence before it (``lead_in``) as the
            # analysers' and the model's left context; kept only where names
            # start in the sentence itself.
            lead = lead_in(text, start)
            read = text[start - lead : end]
            key = self.cache.key(read, lead)
            spans = self.cache.get(key)
            if spans is None:
                unseen.append(_Sentence(start, lead, read, key, korean, japanese))
            else:
                found += self._placed(start, spans)
        for job, names in zip(unseen, self._read(unseen), strict=True):
            lead = job.lead
            spans = tuple((f.start - lead, f.end - lead, f.score) for f in names if f.start >= lead)
            self.cache.put(job.key, spans)
            found += self._placed(job.start, spans)
        if re.search(r"[A-Za-z][a-z]", text):  # capitalised or not: john smith
            found += self._english(text)
        return found

    def _placed(self, start: int, spans: Sequence[tuple[int, int, float]]) -> list[Finding]:
        return [make("PERSON", start + s, start + e, score, self.id) for s, e, score in spans]

    def _read(self, sentences: Sequence[_Sentence]) -> list[list[Finding]]:
        """The names in each sentence's ``read`` text; the learned models score
        the candidates of all of them at once (one numpy pass, not one each)."""
        out: list[list[Finding]] = [[] for _ in sentences]
        if not self.learned:
            for found, job in zip(out, sentences, strict=True):
                found += self._korean(job.read) if job.korean else []
                found += self._japanese(job.read) if job.japanese else []
            return out
        for language, candidates_of in (
            ("ko", self.korean_candidates),
            ("ja", self.japanese_candidates),
        ):
            jobs = [
                (i, job.read)
                for i, job in enumerate(sentences)
                if (job.korean if language == "ko" else job.japanese)
            ]
            if not jobs:
                continue
            model = load_model(language)
            scored = model.names_of([(read, candidates_of(read)) for _, read in jobs])
            for (i, read), spans in zip(jobs, scored, strict=True):
                out[i] += [
                    make("PERSON", start, end, model.score(p), self.id)
                    for start, end, p in spans
                    if not _not_a_name(read, start, end)
                ]
        return out

    def _korean(self, text: str) -> list[Finding]:
        if not self.learned:
            return self._korean_rules(text, _kiwi().tokenize(text))
        return self._learned("ko", text, self.korean_candidates(text))

    def korean_candidates(self, text: str) -> Candidates:
        """Kiwi's morphemes of ``text`` and the features of those that could be
        part of a name (what the Korean model scores; training uses this too)."""
        tokens = _kiwi().tokenize(text)
        rules = self._korean_rules(text, tokens)
        # A word Kiwi's dictionary does not hold is tagged NNP/OOV (most foreign
        # names are), and the language model's score of each morpheme is kept.
        morphemes = [
            Morpheme(t.form, t.tag + ("/OOV" if t.oov else ""), t.start, t.start + t.len, t.score)
            for t in tokens
        ]
        rule_scores = overlap_scores(morphemes, rules)
        return korean_features(
            text,
            morphemes,
            rule_scores,
            surnames=KO_SURNAMES,
            titles=_KO_TITLES,
            places=_KO_PLACES,
        )

    def _learned(self, language: str, text: str, candidates: Candidates) -> list[Finding]:
        model = load_model(language)
        return [
            make("PERSON", start, end, model.score(p), self.id)
            for start, end, p in model.names(text, candidates)
            if not _not_a_name(text, start, end)
        ]

    def _korean_rules(self, text: str, tokens: list[Any]) -> list[Finding]:
        found: list[Finding] = []
        for i, tok in enumerate(tokens):
            form = tok.form
            if tok.tag != "NNP" or not re.fullmatch(r"[가-힣]{2,4}", form):
                continue
            after = text[tok.start + tok.len : tok.start + tok.len + 5].lstrip()
            titled = after.startswith(_KO_TITLES)
            if form in _KO_PLACES:
                continue
            if not (titled or _has_surname(form)):
                # Foreign names carry no Korean surname: a weaker guess; a bracketed
                # marker such as [미정] or [확인 필요] is not a name.
                bracketed = text[tok.start - 1 : tok.start] in "[(「" and tok.start > 0
                common = len(form) == 2 and _common_word(form)
                if not bracketed and not common and not _KO_NOT_NAMES.search(form):
                    found.append(make("PERSON", tok.start, tok.start + tok.len, 0.55, self.id))
                continue
            if not titled and len(form) > 2 and _KO_NOT_NAMES.search(form):
                continue  # 역삼동, 종로구: places, unless a title follows (홍길동 씨)
            score = 0.95 if titled else (0.75 if len(form) == 3 else 0.6)
            if i + 1 < len(tokens) and tokens[i + 1].tag.startswith(("NNP",)) and not titled:
                score -= 0.1  # part of a longer proper noun (an organisation, a place)
            found.append(make("PERSON", tok.start, tok.start + tok.len, score, self.id))
        for pattern in (_KO_SURNAME_ONLY, _KO_INITIAL):
            for m in pattern.finditer(text):
                if not any(f.start <= m.start() < f.end for f in found):
                    found.append(make("PERSON", m.start(), m.end(), 0.8, self.id))
        return found

    def _japanese(self, text: str) -> list[Finding]:
        if self.learned:
            return self._learned("ja", text, self.japanese_candidates(text))
        spans: list[tuple[int, int]] = []
        for m in _japanese_morphemes(text):
            if not m.tag.startswith("名詞/固有名詞/人名/"):
                continue
            if spans and spans[-1][1] == m.start:  # 姓 then 名: one name
                spans[-1] = (spans[-1][0], m.end)
            else:
                spans.append((m.start, m.end))
        return [self._ja_finding(text, start, end) for start, end in spans]

    def japanese_candidates(self, text: str) -> Candidates:
        """sudachipy's morphemes of ``text`` and the features of those that could
        be part of a name (what the Japanese model scores; training uses this too)."""
        return japanese_features(
            text, _japanese_morphemes(text), honorifics=_JA_HONORIFICS, not_names=_JA_AFTER_NAME
        )

    def _ja_finding(self, text: str, start: int, end: int) -> Finding:
        honorific = text[end : end + 3].startswith(_JA_HONORIFICS)
        return make("PERSON", start, end, 0.95 if honorific else 0.8, self.id)

    def _english(self, text: str) -> list[Finding]:
        found = [
            make("PERSON", m.start("n"), m.end("n"), 0.95, self.id)
            for m in _EN_TITLED.finditer(text)
        ]
        for pattern, score in (
            (_EN_NAMED, 0.85),
            (_EN_LOWER_TITLED, 0.85),
            (_EN_LOWER_NAMED, 0.8),
            (_EN_UPPER_NAMED, 0.8),
            (_EN_REVERSED, 0.8),
        ):
            for m in pattern.finditer(text):
                if not any(f.start <= m.start("n") < f.end for f in found):
                    found.append(make("PERSON", m.start("n"), m.end("n"), score, self.id))
        return found


REGISTRY.register(PersonNames())
