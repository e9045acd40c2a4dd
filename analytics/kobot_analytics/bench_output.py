"""What the Spark benchmarks share: results JSON with the machine, a markdown table, a PNG figure."""
import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def write_results(name: str, rows: list[dict], **extra) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "python": platform.python_version()}
    body = {"benchmark": name, "date": datetime.now(timezone.utc).isoformat(), "machine": machine, **extra, "rows": rows}
    (RESULTS / f"{name}.json").write_text(json.dumps(body, indent=2) + "\n")


def print_table(rows: list[dict]) -> None:
    columns = list(rows[0]) if rows else []
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


def figure(size: tuple[float, float]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)


def save(fig, name: str) -> None:
    fig.tight_layout()
    fig.savefig(RESULTS / name, dpi=110)
