"""Table and figure numbers, given when the report is exported.

Report code never types a number: a caption is its title ("主要指标"), optionally with a key, and a
sentence refers to a table or chart by key with `see("表", key)`. The notebook shows "表 主要指标";
`number_captions` then numbers the exported HTML in document order, 表1, 表2, ... and 图1, 图2, ...,
so a township report that leaves out the district-only tables has no gaps, and replaces every
reference with the number of its caption (a reference to no caption is an error, not a wrong number).
"""

from __future__ import annotations

import html
import re

from civmon.errors import ExportError

KINDS = ("表", "图")
_TOKEN = re.compile(r"⟦(表|图):([A-Za-z0-9_.-]+)⟧")
# nbconvert may reorder attributes, so they are read one by one
_NUMBER = re.compile(r'<span class="civmon-no"([^>]*)>(表|图)</span>')
_REF = re.compile(r'<span class="civmon-ref"([^>]*)>(表|图)</span>')
_KEY = re.compile(r'data-key="([^"]*)"')


def _key(attrs: str) -> str | None:
    m = _KEY.search(attrs)
    return html.unescape(m.group(1)) if m else None


def see(kind: str, key: str) -> str:
    """A reference to the table ("表") or chart ("图") captioned with `key`, for a sentence or note."""
    if kind not in KINDS:
        raise ValueError(f"kind is 表 or 图, not {kind!r}")
    return f"⟦{kind}:{key}⟧"


def caption_html(kind: str, caption: str, key: str | None = None, numbered: bool = True) -> str:
    """A caption's HTML: the number's placeholder (filled at export), then the escaped title."""
    title = text_html(caption)
    if not numbered:
        return title
    k = f' data-key="{html.escape(key)}"' if key else ""
    return f'<span class="civmon-no" data-kind="{kind}"{k}>{kind}</span> {title}'


def text_html(text: str) -> str:
    """Escaped text with its references as placeholders (filled at export)."""
    return _TOKEN.sub(lambda m: f'<span class="civmon-ref" data-kind="{m.group(1)}" data-key="{m.group(2)}">'
                                f'{m.group(1)}</span>', html.escape(text))


def plain(text: str) -> str:
    """Text with references as their kind only (for plain-text displays, before numbering)."""
    return _TOKEN.sub(lambda m: m.group(1), text)


def number_captions(body: str) -> str:
    """Number every caption placeholder in document order per kind and fill every reference."""
    count = dict.fromkeys(KINDS, 0)
    labels: dict[tuple[str, str], str] = {}

    def number(m: re.Match) -> str:
        kind, key = m.group(2), _key(m.group(1))
        count[kind] += 1
        label = f"{kind}{count[kind]}"
        if key:
            if (kind, key) in labels:
                raise ExportError(f"two captions carry the key {kind}:{key}")
            labels[(kind, key)] = label
        return label

    body = _NUMBER.sub(number, body)
    refs = [(m.group(2), _key(m.group(1))) for m in _REF.finditer(body)]
    missing = sorted({f"{k}:{key}" for k, key in refs if (k, key) not in labels})
    if missing:
        raise ExportError(f"the report refers to captions it does not contain: {', '.join(missing)}")
    return _REF.sub(lambda m: labels[(m.group(2), _key(m.group(1)))], body)
