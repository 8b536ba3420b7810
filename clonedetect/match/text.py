"""Text matching: each baseline string (one TEXT print) is looked for in the suspect's strings.

1. Exact: the same normalised text (fingerprint.normalise: NFKC, Traditional -> Simplified, case, punctuation,
   placeholders). Method "sha256" when even the raw strings are identical, else "normalised-text".
2. Fuzzy, only for the baseline strings left over, against every suspect string (candidate search: see
   "Fuzzy search" below), with two scorers:
   - "ratio": rapidfuzz `fuzz.ratio` (Indel similarity, 200 * LCS / (len a + len b)) >= the cutoff;
   - "contained": the baseline string reappears inside a longer suspect string with something inserted, e.g.
     a renamed or extended game name ("欢迎来到龙之传说" in "欢迎来到龙之传说私服"): 100 * LCS / len(baseline)
     >= the cutoff, with a length guard (the suspect string at most 1/0.6 times as long), only for baseline
     strings of 6 to 47 characters that "ratio" did not match (from 48 characters on, a 10-character name
     inserted into a copy still passes "ratio" at 90).
   Both scores use the LCS, so they are explainable as "how many characters of the baseline string reappear
   in order". The cutoff is Settings.thresholds.fuzzy_text.

Weights (MatchResult.weights): see `string_weight`; generic strings count little by their document frequency
over a set of baseline games (`DocumentFrequency`, `learn_document_frequency`). Key-aligned strings whose
value changed (a zone or game name) become Differences; see `text_differences`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from clonedetect.fingerprint.normalise import count_cjk, normalise
from clonedetect.model import AssetKind, Category, Difference, Match, MatchResult, Print
from clonedetect.settings import Settings

# UI words every game has; sharing them says nothing about copying. Kept normalised (casefolded, simplified).
_GENERIC_WORDS = (
    "ok cancel yes no confirm back close continue start settings options exit quit menu help retry save load",
    "play pause resume next previous prev done accept decline buy sell shop level score gold coins coin",
    "victory defeat on off error warning notice tip tips info apply reset default skip loading",
    "确定 取消 是 否 确认 返回 关闭 继续 开始 设置 选项 退出 菜单 帮助 加载中 重试 保存 读取 开始游戏",
    "暂停 下一步 上一步 完成 购买 出售 商店 等级 分数 金币 钻石 胜利 失败 游戏结束 新游戏 音效 音乐",
    "语言 开 关 提示 警告 错误 好的 知道了 请稍候 点击开始 应用 重置 默认 跳过 领取 充值 登录 注册 公告",
)
GENERIC_STRINGS: frozenset[str] = frozenset(
    word for line in _GENERIC_WORDS for word in line.split()
) | frozenset(("you win", "you lose", "game over", "new game", "please wait", "tap to start"))

FULL_WEIGHT_LENGTH = 16  # effective characters (a CJK character counts 2) at which a string counts fully
GENERIC_FACTOR = 0.1
SHORT_WEIGHT = 0.05  # strings shorter than min_text_length: present, but not evidence
MAX_DIFFERENCES = 50
NAME_MAX_CHARS = 24  # a changed key-aligned value this short is reported as a renamed name
MIN_ALIGNED_SHARE = 0.5  # key-aligned strings must mostly agree before changed ones are reported
EVIDENCE_CHARS = 60
_DIGITS_ONLY = re.compile(r"[\d\s]*")


@dataclass(frozen=True, slots=True)
class _String:
    """One TEXT print as the matcher needs it."""

    print: Print
    raw: str
    text: str  # normalised
    sha256: str
    traditional: bool

    @property
    def path(self) -> str:
        return self.print.asset.path

    @property
    def key(self) -> str:
        return self.print.asset.key

    @property
    def family(self) -> str:
        return locale_family(self.print.asset.locale)


def locale_family(locale: str) -> str:
    """'zh-Hant', 'zh_CN', 'zh-rTW' -> 'zh': Traditional and Simplified are one family once normalised."""
    return re.split(r"[-_]", locale, maxsplit=1)[0].lower()


def _strings(prints: Sequence[Print]) -> list[_String]:
    out = []
    for item in sorted(prints, key=lambda p: p.asset.path):
        if item.asset.kind is not AssetKind.TEXT:
            continue
        raw = item.asset.text
        text = item.value("text")
        traditional = item.value("traditional")
        if text is None or traditional is None:  # a print from elsewhere: derive what is missing
            normalised = normalise(raw)
            text = normalised.text if text is None else text
            traditional = "1" if normalised.traditional else "0"
        out.append(_String(item, raw, text, item.value("sha256") or "", traditional == "1"))
    return out


def effective_length(text: str) -> int:
    """Characters, with a CJK character counted twice (one carries about as much as a short word)."""
    return len(text) - text.count(" ") + count_cjk(text)


@dataclass(frozen=True, slots=True)
class DocumentFrequency:
    """In how many games of a reference set (the baselines it was learned from) each normalised string
    occurs: the more unrelated games use a string, the less sharing it says about copying.

    `learn_document_frequency` builds one from the text prints of several baseline games (the store's
    registered baselines, or the development benchmark's). The built-in `PRIOR` knows only GENERIC_STRINGS,
    as if every game had them."""

    games: int
    counts: Mapping[str, int]

    def factor(self, text: str) -> float:
        """1 for a string at most one game uses; GENERIC_FACTOR for one every game uses; linear between
        (a string in k of n games: 1 - (k - 1) / (n - 1) * (1 - GENERIC_FACTOR))."""
        seen = self.counts.get(text, 0)
        if self.games < 2 or seen < 2:
            return 1.0
        share = (min(seen, self.games) - 1) / (self.games - 1)
        return round(1.0 - share * (1.0 - GENERIC_FACTOR), 4)


def learn_document_frequency(games: Iterable[Iterable[Print]]) -> DocumentFrequency:
    """Document frequency of every normalised string over several games' text prints (one document per game;
    a string repeated within one game counts once). GENERIC_STRINGS are counted in every game as a prior."""
    counts: Counter[str] = Counter()
    total = 0
    for prints in games:
        total += 1
        counts.update({item.text for item in _strings(list(prints)) if item.text} | GENERIC_STRINGS)
    return DocumentFrequency(total, dict(counts))


PRIOR = DocumentFrequency(2, dict.fromkeys(GENERIC_STRINGS, 2))


def string_weight(text: str, copies: int, settings: Settings, frequency: DocumentFrequency = PRIOR) -> float:
    """How much one baseline string counts toward the text score (1.0 = fully).

        weight = base(text) * g(text) / copies
        base   = 0                              if the normalised text is empty or only digits
               = 0.05                           if it is shorter than thresholds.min_text_length
               = min(1, L / 16)                 otherwise, with L = effective_length (CJK counts 2)
        g      = the document-frequency factor of the text among the reference games
                 (DocumentFrequency.factor: 1 for a string of one game, 0.1 for one every game has; the
                 built-in prior gives 0.1 to GENERIC_STRINGS: OK, Cancel, 确定, 取消, 设置 ...); 1 for
                 strings shorter than min_text_length
        copies = how many baseline strings share this normalised text (document frequency in the baseline),
                 so a word repeated under 40 keys counts once in total, not 40 times.

    Rounded to 4 decimals so the value is stable across platforms.
    """
    if not text or _DIGITS_ONLY.fullmatch(text):
        return 0.0
    if len(text.replace(" ", "")) < settings.thresholds.min_text_length:
        base = SHORT_WEIGHT
    else:
        base = min(1.0, effective_length(text) / FULL_WEIGHT_LENGTH) * frequency.factor(text)
    return round(base / max(1, copies), 4)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > EVIDENCE_CHARS:
        flat = flat[: EVIDENCE_CHARS - 1] + "…"
    return '"' + flat.replace('"', "'") + '"'


def _transforms(base: _String, suspect: _String, edited: bool) -> tuple[str, ...]:
    out = []
    if edited:
        out.append("edited")
    if suspect.traditional and not base.traditional:
        out.append("traditional")
    elif base.traditional and not suspect.traditional:
        out.append("simplified")
    return tuple(sorted(out))


def _preference(base: _String, candidate: _String) -> tuple[int, int, int, str]:
    """Among equally good suspect strings: raw-identical, then the same key, then the same locale family."""
    return (
        0 if base.sha256 and candidate.sha256 == base.sha256 else 1,
        0 if base.key and candidate.key == base.key else 1,
        0 if candidate.family == base.family else 1,
        candidate.path,
    )


# ----------------------------------------------------------------------------------------------------
# Fuzzy search: the best suspect string(s) for each leftover baseline string.
#
# A full matrix of 14k x 14k strings is 200M comparisons (seconds of CPU even in rapidfuzz), so candidates are
# blocked, without losing any pair that could pass the cutoff c:
# - length window: ratio >= c needs min(la, lb) / max(la, lb) >= c / (200 - c) (0.818 at c = 90), so queries
#   are processed in length order, each chunk against the suspect strings of a fitting length (rapidfuzz
#   `process.cdist`, all cores);
# - long strings (>= LONG_QUERY characters) instead use a pigeonhole count filter: ratio >= c allows at
#   most D = (1 - c/100) * (la + lb) insertions/deletions, and each touches at most one of P > D disjoint
#   pieces of the query (of >= 3 characters each), so at least P - D pieces reappear unchanged in the suspect
#   string, and with each its rarest trigram. Candidates are the suspect strings holding the chosen trigrams
#   of >= P - D pieces (numpy passes over 64 queries at a time): exact, and a handful instead of thousands.
# ----------------------------------------------------------------------------------------------------

MAX_FUZZY_CHARS = 2000  # longer strings are compared by their head
LONG_QUERY = 48
GRAM = 3
CONTAIN_MIN, CONTAIN_MAX = 6, LONG_QUERY  # baseline lengths for the "contained" scorer: [6, 48)
CONTAIN_GUARD = 0.6  # the containing suspect string is at most 1 / 0.6 times the baseline string's length
CHUNK = 128
PIGEON_CHUNK = 64  # long queries per numpy pass
MAX_COUNT_BINS = 4_000_000  # (query, suspect string) counters per pass
MAX_PAIRS = 400_000_000  # brute-force comparisons per match call; beyond it the remaining queries are skipped


@dataclass(frozen=True, slots=True)
class FuzzyHit:
    score: float  # 0..100
    scorer: str  # "ratio" | "contained"
    choices: tuple[int, ...]  # indices of the suspect texts that reach this best score


def best_fuzzy_matches(queries: Sequence[str], choices: Sequence[str], cutoff: float) -> dict[str, FuzzyHit]:
    """For each query, the best-scoring choices at or above the cutoff (queries without one are left out)."""
    if not queries or not choices:
        return {}
    # NUL separates strings in the trigram index; normalised text never holds one (controls become spaces)
    search = _FuzzySearch([c[:MAX_FUZZY_CHARS].replace("\x00", " ") for c in choices], cutoff)
    found: dict[str, list[tuple[float, str, int]]] = defaultdict(list)
    clipped = {q: q[:MAX_FUZZY_CHARS].replace("\x00", " ") for q in queries}
    ordered = sorted(set(clipped.values()), key=lambda q: (len(q), q))
    long_queries = [q for q in ordered if search.pigeonhole_applies(len(q))]
    short_queries = [q for q in ordered if not search.pigeonhole_applies(len(q))]
    for query, candidates in search.ratio_windowed(short_queries):
        found[query].extend(candidates)
    for query, candidates in search.ratio_pigeonhole(long_queries):
        found[query].extend(candidates)
    # "contained" only for what "ratio" left unmatched: it looks in a wider length window, so it costs more
    leftover = [q for q in ordered if CONTAIN_MIN <= len(q) < CONTAIN_MAX and q not in found]
    for query, candidates in search.contained(leftover):
        found[query].extend(candidates)

    hits: dict[str, FuzzyHit] = {}
    for query, short in clipped.items():
        scored = found.get(short)
        if not scored:
            continue
        best = max(score for score, _, _ in scored)
        at_best = [(scorer, index) for score, scorer, index in scored if score == best]
        scorer = "ratio" if any(s == "ratio" for s, _ in at_best) else "contained"
        hits[query] = FuzzyHit(best, scorer, tuple(sorted({index for _, index in at_best})))
    return hits


class _FuzzySearch:
    def __init__(self, choices: list[str], cutoff: float) -> None:
        self.choices = choices
        self.cutoff = cutoff
        self.ratio_guard = cutoff / (200.0 - cutoff) if cutoff < 200 else 1.0
        lengths = np.fromiter((len(c) for c in choices), dtype=np.int64, count=len(choices))
        self.order = np.argsort(lengths, kind="stable")
        self.sorted_lengths = lengths[self.order]
        self.length_array = lengths
        self.pairs = 0
        self._grams: _TrigramIndex | None = None

    # -- helpers -----------------------------------------------------------------------------------

    def _window(self, low: float, high: float) -> np.ndarray:
        """Indices of the choices with low <= length <= high, in length order."""
        start = int(np.searchsorted(self.sorted_lengths, math.ceil(low - 1e-9), "left"))
        stop = int(np.searchsorted(self.sorted_lengths, math.floor(high + 1e-9), "right"))
        return self.order[start:stop]

    def _max_choice_length(self, length: int) -> int:
        return math.floor(length / self.ratio_guard + 1e-9) if self.ratio_guard > 0 else 1 << 30

    def _allowed_edits(self, length: int) -> int:
        return math.floor((100.0 - self.cutoff) * (length + self._max_choice_length(length)) / 100.0 + 1e-9)

    def _budget(self, pairs: int) -> bool:
        self.pairs += pairs
        return self.pairs <= MAX_PAIRS

    # -- ratio, length-windowed --------------------------------------------------------------------

    def ratio_windowed(self, queries: list[str]) -> list[tuple[str, list[tuple[float, str, int]]]]:
        out = []
        for start in range(0, len(queries), CHUNK):
            chunk = queries[start : start + CHUNK]
            window = self._window(len(chunk[0]) * self.ratio_guard, self._max_choice_length(len(chunk[-1])))
            if not window.size or not self._budget(len(chunk) * int(window.size)):
                continue
            scores = process.cdist(
                chunk,
                [self.choices[i] for i in window],
                scorer=fuzz.ratio,
                score_cutoff=self.cutoff,
                workers=-1,
                dtype=np.float32,
            )
            for row, query in enumerate(chunk):
                best = float(scores[row].max())
                if best > 0 and best >= self.cutoff:
                    columns = np.flatnonzero(scores[row] == scores[row].max())
                    out.append((query, [(round(best, 2), "ratio", int(window[c])) for c in columns]))
        return out

    # -- ratio, pigeonhole-filtered ---------------------------------------------------------------

    def pieces(self, length: int) -> tuple[int, int]:
        """(pieces, how many of them must reappear) for a query of this length: P disjoint pieces of at
        least GRAM characters; at most D of them are touched by the D edits ratio >= cutoff allows.

        P between D + 1 (long pieces: a choice of rare trigrams, but one surviving piece suffices) and
        length // 3 (one trigram each, common ones too, but many must survive); halfway between was the
        fastest on the Shattered strings (fewest candidates for the postings read)."""
        edits = self._allowed_edits(length)
        pieces = (edits + 1 + length // GRAM) // 2
        return pieces, pieces - edits

    def pigeonhole_applies(self, length: int) -> bool:
        return self.ratio_guard > 0 and length >= LONG_QUERY and self.pieces(length)[1] >= 1

    def index_grams(self) -> None:
        """The trigram index over the suspect strings long enough to pair with a long query."""
        shortest = math.ceil(LONG_QUERY * self.ratio_guard - 1e-9)
        self._grams = _TrigramIndex(self.choices, self._window(shortest, 1 << 30))

    def ratio_pigeonhole(self, queries: list[str]) -> list[tuple[str, list[tuple[float, str, int]]]]:
        """Long queries, a chunk at a time: every step is one numpy pass over the chunk's trigram positions
        (a Python loop per query cost more than the comparisons themselves)."""
        if self._grams is None:
            self.index_grams()
        out = []
        # bins of the (query, suspect string) counting matrix per chunk stay below MAX_COUNT_BINS
        chunk_size = max(1, min(PIGEON_CHUNK, MAX_COUNT_BINS // max(1, len(self.choices))))
        for start in range(0, len(queries), chunk_size):
            out.extend(self._pigeonhole_chunk(queries[start : start + chunk_size]))
        return out

    def _pigeonhole_chunk(self, chunk: list[str]) -> list[tuple[str, list[tuple[float, str, int]]]]:
        assert self._grams is not None
        count = len(chunk)
        lengths = np.array([len(q) for q in chunk], dtype=np.int64)
        edits = np.array([self._allowed_edits(int(n)) for n in lengths], dtype=np.int64)
        pieces = (edits + 1 + lengths // GRAM) // 2
        needed = pieces - edits
        # every trigram position of every query: its query, its offset in the query, its code
        points = _codepoints("\x00".join(chunk))
        codes = _trigram_codes(points)
        first = np.cumsum(lengths + 1) - (lengths + 1)
        query = np.repeat(np.arange(count), lengths + 1)[: codes.size]
        offset = np.arange(codes.size) - first[query]
        real = offset <= lengths[query] - GRAM  # not across the NUL between two queries
        codes, query, offset = codes[real], query[real], offset[real]
        # piece k of a query of length L with P pieces spans [k*L//P, (k+1)*L//P)
        length, count_pieces = lengths[query], pieces[query]
        piece = ((offset + 1) * count_pieces + length - 1) // length - 1
        inside = offset + GRAM <= ((piece + 1) * length) // count_pieces
        starts, sizes = self._grams.lookup(codes)
        # per piece its rarest trigram (one no suspect string holds has size 0: that piece counts for none)
        span = MAX_FUZZY_CHARS + 1
        keys = np.where(inside, sizes * span + offset, np.iinfo(np.int64).max)
        group = (np.cumsum(pieces) - pieces)[query] + piece
        firsts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        rarest = np.minimum.reduceat(keys, firsts)
        chosen = firsts + (rarest % span - offset[firsts])
        owner_query = query[firsts]
        held = sizes[chosen] > 0
        enough = np.bincount(owner_query[held], minlength=count) >= needed
        use = held & enough[owner_query]
        chosen, owner_query = chosen[use], owner_query[use]
        if not chosen.size:
            return []
        # a suspect string within the allowed edits holds the chosen trigram of >= `needed` pieces
        owners = self._grams.owners_of(starts[chosen], sizes[chosen])
        pair = np.repeat(owner_query, sizes[chosen]) * len(self.choices) + owners
        counts = np.bincount(pair, minlength=count * len(self.choices)).reshape(count, len(self.choices))
        rows, columns = np.nonzero(counts >= needed[:, None])
        lengths_b = self.length_array[columns]
        low = np.ceil(lengths[rows] * self.ratio_guard - 1e-9)
        high = np.floor(lengths[rows] / self.ratio_guard + 1e-9)
        fits = (lengths_b >= low) & (lengths_b <= high)
        rows, columns = rows[fits], columns[fits]
        if not rows.size:
            return []
        scores = process.cpdist(
            [chunk[r] for r in rows],
            [self.choices[c] for c in columns],
            scorer=fuzz.ratio,
            score_cutoff=self.cutoff,
            workers=-1,
        )
        out = []
        bounds = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1], [True])))
        for begin, end in itertools.pairwise(bounds.tolist()):
            best = float(scores[begin:end].max())
            if best > 0 and best >= self.cutoff:
                at_best = columns[begin:end][scores[begin:end] == scores[begin:end].max()]
                out.append((chunk[int(rows[begin])], [(round(best, 2), "ratio", int(c)) for c in at_best]))
        return out

    # -- contained ---------------------------------------------------------------------------------

    def contained(self, queries: list[str]) -> list[tuple[str, list[tuple[float, str, int]]]]:
        """Suspect strings longer than the query that hold at least cutoff% of it as a subsequence."""
        out = []
        for start in range(0, len(queries), CHUNK):
            chunk = queries[start : start + CHUNK]
            shortest, longest = len(chunk[0]), len(chunk[-1])
            window = self._window(shortest + 1, longest / CONTAIN_GUARD)
            if not window.size or not self._budget(len(chunk) * int(window.size)):
                continue
            common = process.cdist(
                chunk,
                [self.choices[i] for i in window],
                scorer=LCSseq.similarity,
                score_cutoff=math.ceil(self.cutoff * shortest / 100.0 - 1e-9),
                workers=-1,
                dtype=np.int32,
            )
            window_lengths = self.length_array[window]
            for row, query in enumerate(chunk):
                length = len(query)
                fits = (window_lengths > length) & (window_lengths * CONTAIN_GUARD <= length)
                passing = fits & (common[row] * 100 >= self.cutoff * length) & (common[row] > 0)
                if not passing.any():
                    continue
                best_common = int(common[row][passing].max())
                columns = np.flatnonzero(passing & (common[row] == best_common))
                score = round(100.0 * best_common / length, 2)
                out.append((query, [(score, "contained", int(window[c])) for c in columns]))
        return out


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)


def _trigram_codes(points: np.ndarray) -> np.ndarray:
    """One int64 per trigram position (code points are < 2**21)."""
    if points.size < GRAM:
        return np.zeros(0, dtype=np.int64)
    return (points[:-2] << 42) | (points[1:-1] << 21) | points[2:]


class _TrigramIndex:
    """Which suspect strings hold each trigram, built with a few numpy passes instead of a Python loop over
    every trigram: all strings are joined with NUL (normalised text holds none), every trigram position is
    coded as one int64, and (code, owner) pairs are sorted and de-duplicated into postings."""

    def __init__(self, texts: Sequence[str], members: np.ndarray) -> None:
        members = np.sort(members)
        points = _codepoints("\x00".join(texts[i] for i in members))
        lengths = np.fromiter((len(texts[i]) + 1 for i in members), dtype=np.int64, count=members.size)
        owner = np.repeat(members.astype(np.int32), lengths)[: points.size]
        codes = _trigram_codes(points)
        if codes.size:
            valid = (points[:-2] != 0) & (points[1:-1] != 0) & (points[2:] != 0)
            codes, owner = codes[valid], owner[: points.size - 2][valid]
        else:
            owner = owner[:0]
        order = np.lexsort((owner, codes))
        codes, owner = codes[order], owner[order]
        fresh = np.ones(codes.size, dtype=bool)
        fresh[1:] = (codes[1:] != codes[:-1]) | (owner[1:] != owner[:-1])
        codes, self.owners = codes[fresh], owner[fresh]
        self.keys, self.starts, self.sizes = np.unique(codes, return_index=True, return_counts=True)

    def lookup(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start in `owners`, posting size) for each trigram code; size 0 when no string holds it."""
        if not self.keys.size:
            return np.zeros(codes.size, dtype=np.int64), np.zeros(codes.size, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, codes), self.keys.size - 1)
        found = self.keys[at] == codes
        return np.where(found, self.starts[at], 0), np.where(found, self.sizes[at], 0)

    def owners_of(self, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """The strings of several postings, concatenated (one owner per (posting, string))."""
        total = int(sizes.sum())
        offsets = np.cumsum(sizes) - sizes
        return self.owners[np.repeat(starts - offsets, sizes) + np.arange(total)]


class TextMatcher:
    kind = AssetKind.TEXT

    def __init__(self, frequency: DocumentFrequency = PRIOR) -> None:
        self.frequency = frequency

    def match(self, baseline: Sequence[Print], suspect: Sequence[Print], settings: Settings) -> MatchResult:
        base = _strings(baseline)
        other = _strings(suspect)
        copies: dict[str, int] = defaultdict(int)
        for item in base:
            copies[item.text] += 1
        weights = {
            item.path: string_weight(item.text, copies[item.text], settings, self.frequency) for item in base
        }

        by_text: dict[str, list[_String]] = defaultdict(list)
        for item in other:
            if item.text:
                by_text[item.text].append(item)

        matches: list[Match] = []
        fuzzy_needed: list[_String] = []
        for item in base:
            if not item.text:
                continue
            same = by_text.get(item.text)
            if same:
                matches.append(self._exact(item, min(same, key=lambda c: _preference(item, c)), weights))
            elif len(item.text) >= settings.thresholds.min_text_length:
                fuzzy_needed.append(item)

        suspect_texts = sorted(by_text)
        hits = best_fuzzy_matches(
            sorted({item.text for item in fuzzy_needed}), suspect_texts, settings.thresholds.fuzzy_text
        )
        for item in fuzzy_needed:
            hit = hits.get(item.text)
            if hit is None:
                continue
            candidates = [c for index in hit.choices for c in by_text[suspect_texts[index]]]
            matches.append(
                self._fuzzy(item, min(candidates, key=lambda c: _preference(item, c)), hit, weights)
            )

        return MatchResult(
            matches=tuple(sorted(matches, key=lambda m: (m.baseline, m.suspect))),
            differences=tuple(text_differences(base, other, matches)),
            weights=tuple(sorted((path, w) for path, w in weights.items() if w != 1.0)),
        )

    @staticmethod
    def _exact(item: _String, found: _String, weights: dict[str, float]) -> Match:
        if item.sha256 and found.sha256 == item.sha256:
            method, evidence = "sha256", f"identical string {_quote(item.raw)}"
        else:
            method = "normalised-text"
            evidence = f"same after normalisation: {_quote(item.raw)} = {_quote(found.raw)}"
        return Match(
            category=Category.TEXT,
            baseline=item.path,
            suspect=found.path,
            similarity=1.0,
            method=method,
            transforms=_transforms(item, found, edited=False),
            evidence=evidence,
            weight=weights[item.path],
        )

    @staticmethod
    def _fuzzy(item: _String, found: _String, hit: FuzzyHit, weights: dict[str, float]) -> Match:
        pair = f"{_quote(item.raw)} ~ {_quote(found.raw)}"
        return Match(
            category=Category.TEXT,
            baseline=item.path,
            suspect=found.path,
            similarity=round(hit.score / 100.0, 4),
            method="fuzzy",
            transforms=_transforms(item, found, edited=True),
            evidence=f"fuzzy {math.floor(hit.score)} ({hit.scorer}): {pair}",
            weight=weights[item.path],
        )


def text_differences(
    base: Sequence[_String], other: Sequence[_String], matches: Sequence[Match]
) -> list[Difference]:
    """Changed values of key-aligned strings: the same key (and locale family) on both sides, another value.

    Reported only when the two string tables are copies of each other (at least MIN_ALIGNED_SHARE of the
    key-aligned strings agree after normalisation), and only for a value that was matched fuzzily (edited) or
    is name-short (at most NAME_MAX_CHARS characters: a zone, server, item or game name). At most
    MAX_DIFFERENCES, sorted by where, then values.
    """
    aligned: dict[tuple[str, str], list[_String]] = defaultdict(list)
    for item in other:
        if item.key:
            aligned[(item.key, item.family)].append(item)
    fuzzy_pairs = {(m.baseline, m.suspect) for m in matches if m.method == "fuzzy"}

    pairs: list[tuple[_String, _String]] = []
    for item in base:
        candidates = aligned.get((item.key, item.family)) if item.key else None
        if candidates:
            same_locale = [c for c in candidates if c.print.asset.locale == item.print.asset.locale]
            pairs.append((item, (same_locale or candidates)[0]))
    if not pairs:
        return []
    agreeing = sum(1 for b, s in pairs if b.text == s.text)
    if agreeing / len(pairs) < MIN_ALIGNED_SHARE:
        return []

    found: set[Difference] = set()
    for b, s in pairs:
        if b.text == s.text or not b.text or not s.text:
            continue
        name_like = len(b.text) <= NAME_MAX_CHARS and len(s.text) <= NAME_MAX_CHARS
        if name_like or (b.path, s.path) in fuzzy_pairs:
            found.add(Difference(field="text", baseline=b.raw, suspect=s.raw, where=s.path))
    return sorted(found, key=lambda d: (d.where, d.baseline, d.suspect))[:MAX_DIFFERENCES]
