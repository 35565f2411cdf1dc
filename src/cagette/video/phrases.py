"""Breaking text into lines and captions where a reader expects a pause.

A text is cut into *tokens* that are never split (a word with the punctuation
French sets apart by a space — ``mot :``, ``« Mes``, ``50 %`` — stays one token).
Between two tokens a break has a cost: nothing after a sentence, little after
a comma or before a conjunction, a lot after an article, a preposition or a
subject pronoun (``de la | mairie`` reads badly). :func:`balanced` finds the
fewest lines that fit, then the cheapest breaks among them with lines of
similar length; it serves burned text (widths in pixels) and caption lines
(widths in characters) alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

SPACE = re.compile(r"[ \t\n\r]+")  # no-break spaces (U+00A0, U+202F) stay inside a token
GLUE_BEFORE = re.compile(r"^([:;!?»%‰€$£)\]}…]|[.,]+$)")  # these tokens stick to the one before
GLUE_AFTER = {"«", "(", "[", "¿", "¡", "—", "–"}  # these stick to the one after (an opening mark)
SENTENCE_END = re.compile(r"[.!?…][»\"”’)\]]*$")
SOFT_END = re.compile(r"[,;:—–][»\"”’)\]]*$")

WEAK_NEXT = {  # a break before these words is natural
    "et", "ou", "mais", "donc", "car", "puis", "ni", "qui", "que", "qu", "quand", "lorsque", "si", "parce",
    "pour", "afin", "avec", "sans", "dans", "sur", "sous", "chez", "vers", "après", "avant", "pendant", "comme",
    "où", "dont", "ensuite", "alors",
    "and", "or", "but", "so", "because", "which", "who", "that", "when", "if", "with", "without", "for", "to",
    "in", "on", "after", "before", "while", "where", "then",
}
STRONG_PREV = {  # a break after these words separates them from what they introduce
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "à", "en", "ce", "cet", "cette",
    "ces", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur",
    "leurs", "je", "j", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ne", "n", "se", "s", "me",
    "m", "te", "t", "y", "très", "plus", "moins", "par", "chaque", "quel", "quelle", "tout", "toute", "tous",
    "the", "a", "an", "of", "my", "your", "our", "their", "its", "his", "her", "this", "these", "those", "very",
    "i", "we", "they", "he", "she", "it", "you", "not", "no", "by", "at", "from",
    "pour", "avec", "sans", "dans", "sur", "sous", "chez", "vers", "entre", "for", "with", "in", "to", "into",
}
INF = float("inf")
BAD_BREAK = 12.0  # the cost of a break after an article, a preposition or a pronoun


def tokens(text: str) -> list[str]:
    """Unbreakable units of *text* (joined by single spaces they give the text back, spaces squeezed)."""
    out: list[str] = []
    pending = ""
    for raw in SPACE.split(text.strip()):
        if not raw:
            continue
        if pending:
            raw, pending = f"{pending} {raw}", ""
        if raw in GLUE_AFTER:
            pending = raw
            continue
        if out and GLUE_BEFORE.match(raw):
            out[-1] += " " + raw
        else:
            out.append(raw)
    if pending:
        if out:
            out[-1] += " " + pending
        else:
            out.append(pending)
    return out


def _word(token: str) -> str:
    return re.sub(r"^[^\w]+|[^\w]+$", "", token.lower().split("'")[-1].split("’")[-1])


def break_cost(before: str, after: str | None) -> float:
    """How bad it is to end a line (or a caption) between *before* and *after* (None: the text's end)."""
    if after is None or SENTENCE_END.search(before):
        return 0.0
    if SOFT_END.search(before) or after[:1] in "—–(":
        return 1.0
    first = before.lower().split(" ")[-1]
    if first.endswith(("'", "’")) or _word(first) in STRONG_PREV:
        return BAD_BREAK
    if _word(after.split(" ")[0]) in WEAK_NEXT:
        return 3.0
    return 5.0


RUN_ON = 20.0  # a sentence that ends inside a line (not at its end) reads as a run-on


def inner_cost(toks: Sequence[str]) -> float:
    return RUN_ON * sum(1 for t in toks[:-1] if SENTENCE_END.search(t))


LINE_COST = 8.0  # one more line is worth this much: a bad break costs more than a line


def balanced(toks: Sequence[str], measure: Callable[[str], float], max_w: float,
             max_lines: int | None = None) -> list[str] | None:
    """*toks* in lines no wider than *max_w*: few lines, broken at the cheapest places, of similar length.

    A line's width is its tokens' widths plus its spaces' (each measured once). ``None`` when a token
    alone is wider than *max_w*, or more than *max_lines* lines are needed."""
    n = len(toks)
    if n == 0:
        return []
    widths = [measure(t) for t in toks]
    if max(widths) > max_w:
        return None
    space = measure("a a") - measure("aa")
    if max_lines and sum(widths) + space * (n - 1) > max_lines * max_w:
        return None  # cannot fit: no need to look for the best breaks
    ends = [0]  # sentence ends before each position, for the run-on cost
    for t in toks:
        ends.append(ends[-1] + (1 if SENTENCE_END.search(t) else 0))
    breaks = [break_cost(toks[j - 1], toks[j]) for j in range(1, n)] + [0.0]
    limit = min(n, max_lines or n)
    # best[k][j]: (cost, previous break) for toks[:j] in exactly k lines
    best: list[list[tuple[float, int]]] = [[(INF, -1)] * (n + 1) for _ in range(limit + 1)]
    best[0][0] = (0.0, -1)
    for k in range(1, limit + 1):
        row, prev = best[k], best[k - 1]
        for j in range(k, n + 1):
            w = -space
            for i in range(j - 1, k - 2, -1):
                w += widths[i] + space
                if w > max_w:
                    break
                if prev[i][0] == INF:
                    continue
                slack = (max_w - w) / max_w
                c = prev[i][0] + 6 * slack * slack + RUN_ON * (ends[j - 1] - ends[i]) + breaks[j - 1]
                if c < row[j][0]:
                    row[j] = (c, i)
    options = [(best[k][n][0] + LINE_COST * k, k) for k in range(1, limit + 1) if best[k][n][0] < INF]
    if not options:
        return None
    _cost, k = min(options)
    out: list[str] = []
    j = n
    while k > 0:
        i = best[k][j][1]
        out.append(" ".join(toks[i:j]))
        j, k = i, k - 1
    return out[::-1]


def chunks(toks: Sequence[str], max_chars: int, max_lines: int, single_ok: bool) -> list[list[str]]:
    """*toks* cut into captions of at most *max_lines* lines of *max_chars*, at phrase boundaries.

    A caption of one token only happens when *single_ok* (the whole text is one word)."""
    n = len(toks)
    if n == 0:
        return []

    def slack(line: str) -> float:
        return 6 * ((max_chars - len(line)) / max_chars) ** 2

    def layout(i: int, j: int) -> tuple[float, list[str]] | None:
        part = toks[i:j]
        text = " ".join(part)
        options: list[tuple[float, list[str]]] = []
        if len(text) <= max_chars:
            options.append((inner_cost(part), [text]))
        if max_lines >= 2 and len(text) <= max_chars * 2 + 1:
            for k in range(1, len(part)):
                a, b = " ".join(part[:k]), " ".join(part[k:])
                if len(a) <= max_chars and len(b) <= max_chars:
                    cost = break_cost(part[k - 1], part[k]) + slack(a) + slack(b) + inner_cost(part[:k]) \
                        + inner_cost(part[k:])
                    options.append((cost, [a, b]))
        if max_lines > 2 and not options:
            lines = balanced(part, len, max_chars, max_lines)
            if lines is not None:
                options.append((sum(slack(x) for x in lines) + inner_cost(part), lines))
        return min(options, key=lambda o: o[0]) if options else None

    empty: list[str] = []
    best: list[tuple[float, int, list[str]]] = [(0.0, -1, empty)] + [(INF, -1, empty)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if j - i == 1 and not single_ok and n > 1:
                continue
            laid = layout(i, j)
            if laid is None:
                if len(" ".join(toks[i:j])) > max_chars * max_lines:
                    break
                continue
            if best[i][0] == INF:
                continue
            end = break_cost(toks[j - 1], toks[j] if j < n else None)
            sentences = sum(1 for t in toks[i:j - 1] if SENTENCE_END.search(t))
            cost = best[i][0] + 10 + 4 * end + 9 * sentences + laid[0]
            if cost < best[j][0]:
                best[j] = (cost, i, laid[1])
    if best[n][0] == INF:  # only when a lone token cannot pair with a neighbour: allow single tokens
        return chunks(toks, max_chars, max_lines, True) if not single_ok else [[t] for t in toks]
    out: list[list[str]] = []
    j = n
    while j > 0:
        _cost, i, lines = best[j]
        out.append(lines)
        j = i
    return out[::-1]
