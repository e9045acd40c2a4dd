import json
from pathlib import Path
from kobot_train.evaluate import evaluate_with_engine
from kobot_train.paths import CHATBOT_CSV
rows = []
for bar in (0.3, 0.42):
    for rep in (1.0, 1.15, 1.2, 1.25, 1.3, 1.4):
        if bar == 0.42 and rep > 1.3: continue
        args = ["--min-score", str(bar), "--repetition-penalty", str(rep)]
        r = {s: evaluate_with_engine(Path("runs/gpu1-gold80/export"), CHATBOT_CSV, args, samples=0, split=s) for s in ("validation", "test")}
        row = {"bar": bar, "rep": rep, **{f"{s}_{k}": r[s][k] for s in r for k in ("chrf", "verbatim_copy_rate", "retrieved_copy_rate")}}
        rows.append(row); print("ROW", json.dumps(row), flush=True)
Path("runs/session10-grid.json").write_text(json.dumps(rows, indent=1))
