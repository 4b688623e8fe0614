"""The publication gate: find personal data in anything about to be published.

What counts as a finding (each with the file, page or line, and a masked excerpt that never
repeats the value in full):
  id_number     an 18-character resident ID number: 17 digits and a check character that is
                right (GB 11643), or wrong but with a real province code and birth date (a
                mistyped ID is still someone's ID); not inside a longer run of digits
  id_number_15  a 15-digit first-generation ID: province code, a real date YYMMDD, 3 digits
  phone         a mainland mobile number 1[3-9]xxxxxxxxx, optionally +86/86, in 3-4-4 groups
                split by spaces or hyphens
  name          a person's name from the raw input files (2+ characters). Chinese has no word
                boundaries, so a two-character name counts only where it stands alone (no
                Chinese character directly before or after it, as in a table cell or a printed
                list); "设施建设" does not contain the name 施建, and "林红村" not 林红. In PDF
                text, where table cells wrap ("林红" over "村"), the start or end of a line does
                not set a two-character name apart (the HTML of the same report is scanned too).
                Names of three or more characters count anywhere.
  secret        the pseudonymisation key or another given secret (4+ characters), anywhere
  pseudonym     a pseudonymised ID: one of the given keys, or any token of exactly 16 lower-case
                hex characters with a letter and a digit in it, unless it is followed by an
                ellipsis (how shortened file digests are shown)
  unreadable    a file the gate could not read: it cannot be shown to be safe
"""

from __future__ import annotations

import bisect
import html.parser
import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from civmon.data.pseudonymise import KEY_LENGTH, id_checksum

SUFFIXES = (".html", ".htm", ".pdf", ".csv", ".xlsx", ".json")
KINDS = {
    "id_number": "ID number",
    "id_number_15": "15-digit ID number",
    "phone": "mobile phone number",
    "name": "name from the input files",
    "secret": "secret (pseudonymisation key)",
    "pseudonym": "pseudonymised ID",
    "unreadable": "unreadable file",
}

_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
              50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IS_CJK = re.compile(f"[{_CJK}]")
# full-width digits and X become ASCII (same length, so offsets keep)
_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x"})
_NOT_IN_NUMBER = r"(?<![0-9])(?<![0-9]\.)"  # not after a digit, nor after a decimal point
_ID18 = re.compile(_NOT_IN_NUMBER + r"[1-9][0-9]{16}[0-9Xx](?![0-9])")
_ID15 = re.compile(_NOT_IN_NUMBER + r"[1-9][0-9]{14}(?![0-9])")
_PHONE = re.compile(_NOT_IN_NUMBER + r"(?:(?:\+86|0086|86)[ -]?)?(1[3-9][0-9])([ -]?)([0-9]{4})\2([0-9]{4})"
                    r"(?![0-9])(?!\.0*[1-9])")  # 13812345678.0 from a float column still counts
_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{%d}(?![0-9A-Za-z])(?!…|\.\.\.)" % KEY_LENGTH)
_DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w=.+-]+)*;base64,[A-Za-z0-9+/=\s]*")
_U_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class Finding:
    """One thing that must not be published, where it is, and a masked excerpt of it."""

    kind: str
    excerpt: str
    file: str | None = None
    page: int | None = None
    line: int | None = None
    where: str | None = None  # sheet and row, JSON path, or HTML attribute
    detail: str = ""

    @property
    def location(self) -> str:
        parts = [self.file or "<text>"]
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.line is not None:
            parts.append(f"line {'~' if self.file and self.file.endswith(('.html', '.htm')) else ''}{self.line}")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts)

    def as_dict(self) -> dict:
        """For a manifest or index: kind, location and the masked excerpt."""
        return {"kind": self.kind, "label": KINDS.get(self.kind, self.kind), "location": self.location,
                "file": self.file, "page": self.page, "line": self.line, "where": self.where,
                "excerpt": self.excerpt, "detail": self.detail}

    def format(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.location}: {KINDS.get(self.kind, self.kind)}{extra} {self.excerpt}"


@dataclass
class ScanReport:
    """The gate's verdict on a set of files: `ok` when nothing was found."""

    findings: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # working files (.ipynb), not publications
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def by_file(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.file or "<text>", []).append(f)
        return out

    def format(self, limit: int = 200) -> str:
        """One line per finding (values masked), then a summary line."""
        lines = [f.format() for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        n_files = len(self.by_file())
        lines.append(f"{len(self.findings)} finding(s) in {n_files} of {len(self.files)} file(s) scanned"
                     if self.findings else f"no findings in {len(self.files)} file(s) scanned")
        return "\n".join(lines)


# --- masking ------------------------------------------------------------------------------------
def mask_id(value: str) -> str:
    """330502199001011234 -> 330502********…4: the region code and the last character only."""
    return f"{value[:6]}{'*' * 8}…{value[-1]}"


def mask_id15(value: str) -> str:
    """330502900101123 -> 330502******…3."""
    return f"{value[:6]}{'*' * 6}…{value[-1]}"


def mask_phone(digits: str) -> str:
    """13812345678 -> 138****5678."""
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    """张伟 -> 张*, 欧阳明华 -> 欧***."""
    return name[0] + "*" * (len(name) - 1)


def mask_secret(value: str) -> str:
    return f"<{len(value)} characters>"


def mask_pseudonym(value: str) -> str:
    return value[:4] + "…"


# --- detectors ----------------------------------------------------------------------------------
def _valid_date(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _id18(value: str) -> str | None:
    """'' for a valid ID, a detail for a plausible one with a wrong check character, else None."""
    v = value.upper()
    if id_checksum(v[:17]) == v[17]:
        return ""
    if int(v[:2]) in _PROVINCES and 1900 <= int(v[6:10]) <= 2099 and _valid_date(int(v[6:10]), int(v[10:12]), int(v[12:14])):
        return "wrong check character"
    return None


def _id15(value: str) -> bool:
    return int(value[:2]) in _PROVINCES and _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


class NameMatcher:
    """Finds the given names in text: a lookup of the few windows that start with a first
    character of some name (faster than one big regex for thousands of names; bench/bench_scan.py)."""

    def __init__(self, names=()):
        cleaned = {"".join(str(n).split()) for n in names if n is not None}
        cleaned = {n for n in cleaned if len(n) >= 2 and _IS_CJK.search(n)}
        self.by_len: dict[int, set[str]] = {}
        for n in cleaned:
            self.by_len.setdefault(len(n), set()).add(n)
        self.lengths = sorted(self.by_len, reverse=True)
        first = "".join(sorted({n[0] for n in cleaned}))
        self.first = re.compile(f"[{re.escape(first)}]") if first else None

    def __len__(self) -> int:
        return sum(map(len, self.by_len.values()))

    def find(self, text: str, wrapped: bool = False):
        """(start, end) of each name occurrence, longest first at each position, no overlaps.

        `wrapped`: the text is a PDF's layout, where table cells wrap ("林红村" can come out as
        "林红" and "村" on two lines), so a two-character name must also be set off from other
        text on its own line: a line's start or end is no boundary for it.
        """
        if self.first is None:
            return
        n = len(text)
        after = 0
        for m in self.first.finditer(text):
            i = m.start()
            if i < after:
                continue
            for L in self.lengths:
                if i + L > n or text[i:i + L] not in self.by_len[L]:
                    continue
                if L == 2 and not (_apart(text, i - 1, -1, wrapped) and _apart(text, i + 2, 1, wrapped)):
                    continue  # a two-character name inside a longer run of Chinese text
                yield i, i + L
                after = i + L
                break


def _apart(text: str, k: int, step: int, wrapped: bool) -> bool:
    """Whether position k (next to a candidate name, walking by step) sets it apart."""
    n = len(text)
    if k < 0 or k >= n:
        return not wrapped
    if _IS_CJK.match(text[k]):
        return False
    if not wrapped:
        return True
    while 0 <= k < n and text[k] in " \u3000\t":
        k += step
    return 0 <= k < n and text[k] not in "\n\f"


@dataclass
class _Segment:
    text: str
    page: int | None = None
    line: int | None = None
    where: str | None = None


class Scanner:
    """The gate's detectors, set up once for a run: names, secrets and known pseudonyms."""

    def __init__(self, names=(), secrets=(), pseudonyms=(), generic_pseudonyms: bool = True):
        self.names = NameMatcher(names)
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        self.pseudonyms = {p.lower() for p in pseudonyms if p}
        self.generic_pseudonyms = generic_pseudonyms

    @classmethod
    def for_data(cls, folder, key: str | None = None, secrets=()) -> "Scanner":
        """A scanner for reports made from a data folder: the names in its raw files and, given
        the pseudonymisation key, that key and the pseudonyms of every raw ID number."""
        from civmon.publish.identifiers import raw_names_from_folder, raw_pseudonyms_from_folder

        pseudonyms = raw_pseudonyms_from_folder(folder, key) if key else set()
        return cls(raw_names_from_folder(folder), {*secrets, *([key] if key else [])}, pseudonyms)

    # -- text ---------------------------------------------------------------------------------
    def _hits(self, text: str, wrapped: bool = False):
        """(start, kind, masked excerpt, detail) for everything found in one text."""
        text = text.translate(_WIDTH)
        for m in _ID18.finditer(text):
            detail = _id18(m.group())
            if detail is not None:
                yield m.start(), "id_number", mask_id(m.group().upper()), detail
        for m in _ID15.finditer(text):
            if _id15(m.group()):
                yield m.start(), "id_number_15", mask_id15(m.group()), ""
        for m in _PHONE.finditer(text):
            yield m.start(), "phone", mask_phone(m.group(1) + m.group(3) + m.group(4)), ""
        for i, j in self.names.find(text, wrapped):
            yield i, "name", mask_name(text[i:j]), ""
        for s in self.secrets:
            i = text.find(s)
            while i >= 0:
                yield i, "secret", mask_secret(s), ""
                i = text.find(s, i + len(s))
        if self.pseudonyms or self.generic_pseudonyms:
            for m in _HEX.finditer(text):
                v = m.group()
                if v in self.pseudonyms:
                    yield m.start(), "pseudonym", mask_pseudonym(v), ""
                elif self.generic_pseudonyms and not v.isdigit() and any(c.isdigit() for c in v):
                    yield m.start(), "pseudonym", mask_pseudonym(v), "16 hex characters"

    def segments(self, segments: list[_Segment], file: str | None = None, wrapped: bool = False) -> list[Finding]:
        """Scan text segments as one text (joined by line breaks, which no pattern crosses);
        `wrapped` for PDF layout text (see NameMatcher.find)."""
        if not segments:
            return []
        starts, pos = [], 0
        for s in segments:
            starts.append(pos)
            pos += len(s.text) + 1
        full = "\n".join(s.text for s in segments)
        out = []
        for at, kind, excerpt, detail in sorted(self._hits(full, wrapped), key=lambda h: h[0]):
            k = bisect.bisect_right(starts, at) - 1
            seg = segments[k]
            line = None if seg.line is None else seg.line + full.count("\n", starts[k], at)
            out.append(Finding(kind, excerpt, file, seg.page, line, seg.where, detail))
        return out

    def text(self, text: str, file: str | None = None) -> list[Finding]:
        return self.segments([_Segment(text, line=1)], file)

    # -- files --------------------------------------------------------------------------------
    def file(self, path: Path | str) -> list[Finding]:
        path = Path(path)
        suffix = path.suffix.lower()
        try:
            if suffix in (".html", ".htm"):
                segs = html_segments(path.read_text(encoding="utf-8", errors="replace"))
            elif suffix == ".pdf":
                segs = pdf_segments(path)
            elif suffix == ".csv":
                segs = [_Segment(_decode(path.read_bytes()), line=1)]
            elif suffix == ".xlsx":
                segs = xlsx_segments(path)
            elif suffix == ".json":
                segs = json_segments(path.read_bytes())
            else:
                segs = [_Segment(_decode(path.read_bytes()), line=1)]
        except Exception as exc:  # fail closed: what cannot be read cannot be shown safe
            return [Finding("unreadable", "", str(path), detail=f"{type(exc).__name__}: {str(exc)[:200]}")]
        return self.segments(segs, str(path), wrapped=suffix == ".pdf")


# --- file formats -------------------------------------------------------------------------------
class _HtmlText(html.parser.HTMLParser):
    """Text content, comments and attribute values with their line numbers; data: URIs left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments: list[_Segment] = []
        self._raw = None

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        self._raw = tag if tag in ("script", "style") else None
        for name, value in attrs:
            if value and not value.lstrip().startswith("data:"):
                self.segments.append(_Segment(value, line=line, where=f"{tag}@{name}"))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._raw = None

    def handle_comment(self, data):  # not shown, but published all the same
        if data.strip():
            self.segments.append(_Segment(data, line=self.getpos()[0], where="comment"))

    def handle_data(self, data):
        if not data.strip():
            return
        line = self.getpos()[0]
        if self._raw:
            data = _DATA_URI.sub("", data)
            data = _U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), data)
        self.segments.append(_Segment(data, line=line))


def html_segments(text: str) -> list[_Segment]:
    """Text content of an HTML document (and attribute values such as alt and title)."""
    p = _HtmlText()
    p.feed(text)
    p.close()
    return p.segments


def pdf_segments(path: Path) -> list[_Segment]:
    """The text of each PDF page, by `pdftotext -layout` (poppler)."""
    res = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True, timeout=120)
    pages = res.stdout.decode("utf-8", errors="replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [_Segment(t, page=i + 1, line=1) for i, t in enumerate(pages)]


def xlsx_segments(path: Path) -> list[_Segment]:
    """One segment per worksheet row, cells separated by tabs."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = ["" if v is None else _cell(v) for v in row]
                if any(cells):
                    out.append(_Segment("\t".join(cells), where=f"sheet {ws.title} row {r}"))
        return out
    finally:
        wb.close()


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e18:
        return str(int(v))
    return str(v)


def json_segments(data: bytes) -> list[_Segment]:
    """Every key and scalar of a JSON document, located by its path."""
    obj = json.loads(_decode(data))
    out: list[_Segment] = []

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                p = f"{path}.{k}"
                out.append(_Segment(str(k), where=path))
                walk(v, p)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{path}[{i}]")
        elif o is not None and not isinstance(o, bool):
            out.append(_Segment(_cell(o) if isinstance(o, float) else str(o), where=path))

    walk(obj, "$")
    return out


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


# --- public API ---------------------------------------------------------------------------------
def scan_text(text: str, *, names=(), secrets=(), pseudonyms=(), file: str | None = None) -> list[Finding]:
    """Findings in one text (lines counted from 1)."""
    return Scanner(names, secrets, pseudonyms).text(text, file)


def scan_report(paths, *, names=(), secrets=(), pseudonyms=(), scanner: Scanner | None = None) -> ScanReport:
    """Scan the files of one report (HTML, PDF, and CSV/XLSX/JSON indicator tables)."""
    t0 = time.perf_counter()
    scanner = scanner or Scanner(names, secrets, pseudonyms)
    report = ScanReport()
    for p in map(Path, paths):
        if p.suffix.lower() == ".ipynb":
            report.skipped.append(p)
            continue
        report.files.append(p)
        report.findings.extend(scanner.file(p))
    report.seconds = time.perf_counter() - t0
    return report


def scan_path(path, *, names=(), secrets=(), pseudonyms=(), scanner: Scanner | None = None) -> ScanReport:
    """Scan a file, or every .html, .pdf, .csv, .xlsx and .json file under a folder.

    Executed notebooks (.ipynb) are researchers' working files, never published, and are skipped
    (listed in `.skipped`); so is everything else that is not a publication format.
    """
    path = Path(path)
    if path.is_file():
        return scan_report([path], names=names, secrets=secrets, pseudonyms=pseudonyms, scanner=scanner)
    if not path.exists():
        raise FileNotFoundError(path)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    report = scan_report(files, names=names, secrets=secrets, pseudonyms=pseudonyms, scanner=scanner)
    report.skipped = sorted(p for p in path.rglob("*.ipynb") if p.is_file())
    return report
