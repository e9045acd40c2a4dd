"""`npm run analytics -- --from DATE --to DATE`: reads the chat archive, writes report.json, report.md and PNG charts
into reports/<date>/ (one day) or reports/<from>_<to>/ (a range), and quarantines malformed records.
`npm run analytics -- --refresh`: writes every report under --out again from the archive as it is now, as after a
player's erasure, whose words the reports held."""
import argparse
import html
import json
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from pyspark.sql import SparkSession

from .candidates import MIN_PLAYERS, UnreadableCandidates, candidates, read_saved, refresh_candidates, stamp, write_candidates
from .figures import collect_all, figures
from .keywords import preload
from .records import NoArchive, archived_days, read_chat_log, read_reported

TRAINING_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "chatbot_data" / "ChatbotData.csv"


def spark_session(app: str, packages: list[str] | None = None) -> SparkSession:
    # Python workers run this interpreter (the project's env, with kiwipiepy), not the system one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # under spark-submit its --master rules: one set here ran local[2] instead
        builder = builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
    builder = (
        builder
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        # Small aggregations and the archive's dedupe state: as many partitions as cores here (2 measured
        # ~30% faster than 4 for the archive); raise it on a cluster.
        .config("spark.sql.shuffle.partitions", os.environ.get("SPARK_SHUFFLE_PARTITIONS", "2"))
    )
    if packages:  # connector jars from Maven Central, cached outside the repository (Ivy costs ~1 s at start)
        builder = builder.config("spark.jars.packages", ",".join(packages)).config("spark.jars.ivy", os.path.expanduser("~/.cache/kobot/ivy"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def write_report(result: dict, out: Path, date_from: str, date_to: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=float) + "\n")
    charts = _charts(result, out)
    lines = [
        f"# Chat report {date_from} – {date_to}\n",
        f"{result['lines']} lines, {result['questions']} questions to NPCs, {result['answers']} NPC answers; "
        f"fallback rate {result['fallbackRate']:.1%}, timeout rate {result['timeoutRate']:.1%}; "
        f"{result['quarantined']} records quarantined.\n",
        *[f"![{c}]({c})\n" for c in charts],
        "## Answer latency by model (ms, answers only)\n",
        _table(result["latencyByModel"]),
        "## Questions per room\n",
        _table([{"room": k, "questions": v} for k, v in result["questionsPerRoom"].items()]),
        "## Busiest rooms (player lines)\n",
        _table(result["busiestRooms"]),
        "## Busiest players\n",
        _table(result["busiestPlayers"]),
        f"## Players reported most ({result['reports']} reports by players; moderators act on them through GET /api/reports)\n",
        _table(result["mostReported"]),
        "## Where the NPCs' answers came from (composed: the model's own words, most often nonsense)\n",
        _table(result["answersBySource"]),
        "## Top questions (each question asked counted once, however many answers it got)\n",
        _left_out(result),
        _table(result["topQuestions"]),
        "## Top keywords (kiwipiepy: nouns, verb and adjective stems; of the questions above)\n",
        _table(result["topKeywords"]),
        "## Questions that got a fallback or a very short answer (answers to the questions shown above)\n",
        _table(result["failedQuestions"]),
    ]
    (out / "report.md").write_text("\n".join(lines))


def _left_out(result: dict) -> str:
    """What the question tables leave out (figures.py), so that their counts read right and a missing abuse is not a
    missing question."""
    n = result["questionsLeftOut"]
    return (f"{n} question{'s' if n != 1 else ''} left out of these tables: refused by moderation, said in private, "
            f"scored toxic, or their line not in these days' archive (asked the day before, lost).\n") if n else ""


def _table(rows: list[dict]) -> str:
    if not rows:
        return "(none)\n"
    columns = list(rows[0].keys())
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(_cell(r[c]) for c in columns) + " |\n" for r in rows)


# A player's own backslash is escaped too: it cannot undo the escape of what follows it. `:` and `@`, and the dot
# after "www": GitHub's Markdown turns a bare https://…, www.… or a@b.c into a link of its own.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]|:@]|(?<=www)\.)", re.IGNORECASE)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _cell(value) -> str:
    """Player text shown as text: no HTML, links, code or emphasis of theirs, one table row per row."""
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    text = html.escape(MARKDOWN_SPECIAL.sub(r"\\\1", text), quote=False)
    return LINE_BREAK.sub("<br>", text)


def _charts(result: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = []
    if result["questionsPerHour"]:
        fig, ax = plt.subplots(figsize=(8, 3.5))
        hours = list(result["questionsPerHour"])
        ax.bar(range(len(hours)), list(result["questionsPerHour"].values()))
        ax.set_xticks(range(len(hours)), [h[5:].replace("T", " ") + "h" for h in hours], rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("questions")
        ax.set_title("Questions to NPCs per hour (UTC)")
        fig.tight_layout()
        fig.savefig(out / "questions-per-hour.png", dpi=100)
        plt.close(fig)
        charts.append("questions-per-hour.png")
    if result["latencyByModel"]:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        models = result["latencyByModel"]
        for i, key in enumerate(["p50", "p95", "p99"]):
            ax.bar([j + i * 0.25 for j in range(len(models))], [m[key] for m in models], width=0.25, label=key)
        ax.set_xticks([j + 0.25 for j in range(len(models))], [m["model"] for m in models], fontsize=7)
        ax.set_ylabel("ms")
        ax.set_title("NPC answer latency by model")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "latency-by-model.png", dpi=100)
        plt.close(fig)
        charts.append("latency-by-model.png")
    return charts


def main(argv=None) -> int:
    today = datetime.now(timezone.utc).date().isoformat()  # the archive's days are UTC's: local "today" was tomorrow in Korea until 09:00
    parser = argparse.ArgumentParser(description=__doc__)
    archive = os.environ.get("ARCHIVE_URI")  # the archive job's output, else the embedded default's files (DATA_DIR)
    embedded = os.path.join(os.environ.get("DATA_DIR", "data"), "chat-log")
    parser.add_argument("--input", default=f"{archive}/chat-log" if archive else embedded, help="chat-log folder or URI")
    parser.add_argument("--from", dest="date_from", default=today)
    parser.add_argument("--to", dest="date_to", default=today)
    parser.add_argument("--out", default="reports")
    parser.add_argument("--refresh", action="store_true",
                        help="write every report under --out again from the archive as it is now (after a player's erasure), each for its "
                             "own dates and input; retrain-candidates.csv keeps the reviewers' work on the questions still asked")
    parser.add_argument("--training-data", type=Path,
                        help="Chatbot_data CSV: its questions are left out of retrain-candidates.csv (default: ../shared's; "
                             "with --refresh, each report's own)")
    parser.add_argument("--min-players", type=int, default=MIN_PLAYERS,
                        help=f"a question is a retraining candidate once this many distinct players asked it (default {MIN_PLAYERS}): "
                             "one player's spam is no data to learn from")
    args = parser.parse_args(argv)
    try:
        date_from, date_to = days(args.date_from, args.date_to)
    except ValueError as error:
        parser.error(str(error))
    if args.refresh:
        targets = _written_reports(Path(args.out), args.input, args.training_data)
        if not targets:
            print(f"analytics: no report under {args.out} to refresh (--out)", file=sys.stderr)
            return 2
    else:
        out = Path(args.out) / report_folder(date_from, date_to)
        held = _range_of(out)
        if held and held != (date_from, date_to):
            # Named by its last day alone before session 61: run again for another range, it lost its reviewed rows.
            print(f"analytics: {out} holds the report of {held[0]}..{held[1]}: move it to {Path(args.out) / report_folder(*held)} "
                  f"first, where a refresh finds it as well; nothing written", file=sys.stderr)
            return 2
        targets = [(out, args.input, date_from, date_to, args.training_data or TRAINING_DATA)]
    for out, _, _, _, training_data in targets:
        if (out / "retrain-candidates.csv").exists() and not training_data.exists():
            # A refresh after an erasure went on without it, left the erased player's questions there, and said "refreshed".
            print(f"analytics: {out / 'retrain-candidates.csv'} cannot be brought up to date without the training data it was written "
                  f"against, not at {training_data}: give --training-data; nothing written", file=sys.stderr)
            return 2
    try:
        # All read before any is rewritten: one a spreadsheet saved unreadably stopped a refresh after an erasure
        # partway, the reports after it still holding the erased player's words.
        saved = {out: _saved(out / "retrain-candidates.csv") for out, *_ in targets if (out / "retrain-candidates.csv").exists()}
    except UnreadableCandidates as error:
        print(f"analytics: {error}; nothing written", file=sys.stderr)
        return 2
    preload()  # the Korean analyser loads while Spark starts
    spark = spark_session("kobot-chat-report")
    try:
        for out, source, first, last, training_data in targets:
            _report(spark, out, source, first, last, training_data, args.refresh, saved.get(out), args.min_players)
    except NoArchive as error:
        # Not an empty report: that would read as a quiet day and hide a mistyped --input.
        print(f"analytics: {error}", file=sys.stderr)
        return 2
    except UnreadableCandidates as error:
        # Saved again while the archive was read, and unreadably: left as the reviewer saved it.
        print(f"analytics: {error}; it and the reports after it not written", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


def report_folder(date_from: str, date_to: str) -> str:
    """A report's folder under --out: its day, or its range. By its last day alone, a month's report and that day's
    were one folder, each run dropping the other's reviewed candidates as no longer asked."""
    return date_to if date_from == date_to else f"{date_from}_{date_to}"


def _range_of(out: Path) -> tuple[str, str] | None:
    """(from, to) of the report written in `out`, if any."""
    written = out / "report.json"
    if not written.exists():
        return None
    dates = json.loads(written.read_text())["range"]
    return dates["from"], dates["to"]


def _saved(file: Path) -> tuple[list[dict], tuple[int, int]]:
    """A candidates file's rows, and its stamp taken before they were read (a save in between is read again)."""
    when = stamp(file)
    return read_saved(file), when


def _written_reports(reports: Path, default_input: str, training_data: Path | None) -> list[tuple[Path, str, str, str, Path]]:
    """(folder, input, from, to, training data) of each report under `reports`, as it was written (older reports
    may not say their input or their training data: the defaults then), or `training_data` where given."""
    found = []
    for written in sorted(reports.glob("*/report.json")):
        report = json.loads(written.read_text())
        used = training_data or Path(report.get("trainingData", TRAINING_DATA))
        found.append((written.parent, report.get("input", default_input), report["range"]["from"], report["range"]["to"], used))
    return found


def days(first: str, last: str) -> tuple[str, str]:
    """--from and --to as the archive's folders name days (`date=2026-11-05`): "2026-11-5" read no folder, and its
    empty report looked like a quiet day; so did a --from after --to."""
    first, last = (datetime.strptime(value, "%Y-%m-%d").date().isoformat() for value in (first, last))
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    return first, last


def _report(spark: SparkSession, out: Path, source: str, date_from: str, date_to: str, training_data: Path, refresh: bool,
            saved: tuple[list[dict], tuple[int, int]] | None, min_players: int = MIN_PLAYERS) -> None:
    """`saved`: the rows of the report's retrain-candidates.csv as read before, and its stamp then (None: it has none);
    `min_players`: candidates.py's."""
    if refresh and not archived_days(spark, source, date_from, date_to):
        # Its days left the archive (retention, moved to cold storage): refreshed, it read "0 lines" and the
        # reviewers' rows of its candidates were dropped as no longer asked. Left as it was, said.
        print(f"analytics: {out}/report.md left as it was: {source} no longer holds its days ({date_from}..{date_to}); "
              f"an erasure since is not in it: erase the player's rows there by hand, or archive the days back and refresh", file=sys.stderr)
        return
    valid, quarantined = read_chat_log(spark, source, date_from, date_to)
    results = collect_all(valid, read_reported(spark, source, date_to))
    result = figures(results)
    result["quarantined"] = quarantined.count()
    out.mkdir(parents=True, exist_ok=True)
    if result["quarantined"]:
        # Written by the driver: on a cluster, executors cannot write into the driver's report folder.
        with open(out / "quarantine.ndjson", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r.asDict(), ensure_ascii=False) + "\n" for r in quarantined.toLocalIterator())
    else:
        (out / "quarantine.ndjson").unlink(missing_ok=True)  # refreshed: those records are gone
    dropped = ""
    file = out / "retrain-candidates.csv"
    if training_data.exists():
        asked = candidates(results["outcomes"], training_data, 1)
        rows = [row for row in asked if row[2] >= min_players]
        # Written before (a report run again, a refresh): the reviewers' work stays on the questions still asked, by
        # fewer players than --min-players too (a file from before the bar); a run again overwrote it, every row back
        # to the model's answer and reviewed=no.
        if saved is not None:
            below = [row for row in asked if row[2] < min_players]
            result["retrainCandidates"], gone = refresh_candidates(rows, file, *saved, below)
            dropped = (f", {gone} retrain candidates dropped (their questions no longer in the archive for these days, "
                       "or asked only by players whose lines are no data to learn from)") if gone else ""
        else:
            result["retrainCandidates"] = write_candidates(rows, file)
        result["trainingData"] = str(training_data.resolve())
    else:
        print(f"analytics: no retrain-candidates.csv: no training data at {training_data} (give --training-data)", file=sys.stderr)
    result["input"] = source
    result["range"] = {"from": date_from, "to": date_to}
    result["generatedAt"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_report(result, out, date_from, date_to)
    print(f"{'refreshed' if refresh else 'wrote'} {out}/report.md ({result['questions']} questions, {result['quarantined']} quarantined{dropped})")


if __name__ == "__main__":
    raise SystemExit(main())
