"""Renders the benchmark results (bench/results/*.json) as PNG plots and writes bench/README.md.

Run by `npm run bench` after the benchmarks; alone: `$(scripts/python-env.sh) bench/plot.py`.
"""
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table(rows):
    if not rows:
        return ""
    # Every row's columns, in order of first appearance: chat's answer rows add fallbacks, which its first rows lack.
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def cell(value):
    # A share (0.00684931506849315) to 4 significant digits; every other value as the benchmark wrote it.
    return f"{value:.4g}" if isinstance(value, float) and abs(value) < 1 else str(value)


def plot_answer_latency(chat):
    samples = chat.get("samples")
    if not samples:
        return None
    fig, ax = plt.subplots(figsize=(7, 4))
    top = max(max(samples["embedded"]), max(samples["kafka"]))
    bins = [i * top / 30 for i in range(31)]
    ax.hist(samples["embedded"], bins=bins, alpha=0.6, label="embedded (one process)")
    ax.hist(samples["kafka"], bins=bins, alpha=0.6, label="Kafka (server + worker + broker)")
    ax.axvline(300, color="red", linestyle="--", linewidth=1, label="target p95 300 ms")
    ax.set_xlabel("chat sent → NPC answer in every client's state (ms)")
    ax.set_ylabel("questions")
    ax.set_title("NPC answer latency at 1 question/s")
    ax.legend()
    return save(fig, "answer-latency.png")


def plot_embedded_vs_kafka(chat):
    rows = chat["rows"]
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [r["path"].replace("chat → answer in state: ", "answer: ").replace("hop: ", "") for r in rows]
    x = range(len(rows))
    ax.bar([i - 0.2 for i in x], [r["p50"] for r in rows], width=0.4, label="p50")
    ax.bar([i + 0.2 for i in x], [r["p95"] for r in rows], width=0.4, label="p95")
    ax.set_xticks(list(x), labels, rotation=15, ha="right", fontsize=8)
    ax.set_ylabel("ms")
    ax.set_title("Embedded vs Kafka: the transport hop and the whole answer path")
    ax.legend()
    return save(fig, "embedded-vs-kafka.png")


def plot_loadtest(loadtest, name="loadtest.png", title="Bots vs patch delay, one server process"):
    rows = loadtest["rows"]
    bots = [r["bots"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    if "patchDelayP95" in rows[0]:
        ax.plot(bots, [r["patchDelayP95"] for r in rows], marker="^", label="patch delay (server → bot), p95")
    ax.plot(bots, [r["moveSeenP50"] for r in rows], marker="o", label="move → seen, p50")
    ax.plot(bots, [r["moveSeenP95"] for r in rows], marker="o", label="move → seen, p95 (waits up to 50 ms for the next patch)")
    ax.plot(bots, [r["patchIntervalP95"] for r in rows], marker="s", label="patch interval, p95 (50 = on time)")
    ax.axhline(50, color="red", linestyle="--", linewidth=1, label="target p95 50 ms")
    ax.set_xlabel("bots (rooms of 50, 20 patches/s, bots on the same machine)")
    ax.set_ylabel("ms")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save(fig, name)


def fairness_text(d):
    rows = table([{k: v for k, v in r.items() if k not in ("waitsMs", "answersPerSecondByBurst")} for r in d["rows"]])
    text = f"{rows}\n\nbatching: {d['batchingSpeedup']}× the answers/s of one at a time"
    if "batchingSpeedupByRound" in d:  # older result files lack it: the median of paired rounds
        by_round = d["batchingSpeedupByRound"]
        text += f" (median of {d['rounds']} rounds, each mode in turn: {min(by_round)}–{max(by_round)})"
    if "brainAlone" in d:  # older result files lack it
        b = d["brainAlone"]
        text += (f"; the brain alone on the same questions (no rooms, no clients): {b['batchedAnswersPerSecond']} answers/s "
                 f"batched, {b['oneAtATimeAnswersPerSecond']} one at a time, {b['batchingSpeedup']}×")
    if "batchingSpeedupAllCoresBusy" in d:  # older result files lack it
        batched = d["rows"][0]
        text += (f". Batched, {batched['coresBusy']} cores were busy on average; the CPU it took (server "
                 f"{batched['serverCpuMsPerAnswer']} ms, clients {batched['clientsCpuMsPerAnswer']} ms an answer) with every core "
                 f"busy all the time would give {batched['answersPerSecondAllCoresBusy']} answers/s, "
                 f"{d['batchingSpeedupAllCoresBusy']}× one at a time")
    if "batchingSpeedupIfStepsWereFree" in d:  # older result files lack it
        b = d["brainAlone"]
        text += (f". With every decoding step after the prefill free (answers cut to their first token), batching would "
                 f"give at most {d['batchingSpeedupIfStepsWereFree']}× full answers one at a time end to end, and the brain "
                 f"alone {b['batchingSpeedupIfStepsWereFree']}× ({b['batchedPrefillOnlyPerSecond']} prompts/s)")
    if "decodingFloor" in d:  # older result files lack it
        f = d["decodingFloor"]
        text += (f". 3× end to end leaves {f['budgetMsPerAnswerFor3x']} ms an answer for its batched decoding steps; they cost at "
                 f"least {f['floorMsPerAnswer']} ms: the rows' own work {f['rowsWorkMsPerAnswer']} ms ({f['rowStepMs']} ms a row a "
                 f"step, 16 → 32 rows: {f['rows16StepMs']} → {f['rows32StepMs']} ms, × {f['stepsPerAnswer']} steps) and the steps' "
                 f"fixed cost {f['fixedCostMsPerAnswer']} ms (1 row: {f['oneRowStepMs']} ms, {f['stepsPerBatch']} steps a batch)")
    return text


def plot_fairness(fairness):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for row in fairness["rows"]:
        waits = sorted(row["waitsMs"])
        ax.plot(range(1, len(waits) + 1), waits, marker=".", label=f"{row['mode']}: {row['answersPerSecond']} answers/s")
    ax.set_xlabel("answers of all bursts, by wait")
    ax.set_ylabel("question → answer seen, ms")
    row = fairness["rows"][0]
    ax.set_title(f"{row['players']} players ask one NPC at once, {row['bursts']} bursts")
    ax.legend()
    return save(fig, "fairness.png")


def soak_text(d):
    shape = "a server and an NPC worker on Kafka" if d.get("kafka") else "`npm start`'s one process"
    text = (f"{shape}; {d['players']} visitors at a time, each staying {d['staySeconds']} s, each a new player"
            f"{', signed in' if d.get('signedIn') else ''}.\n\n" + table(d["rows"]))
    for g in d["growth"]:
        text += (f"\n\n{g['process']}: the heap after a full GC, once every visitor had left, grew {g['heapGrownMB']} MB from the "
                 f"warm-up's end to the soak's: {g['bytesPerVisit']} bytes a visit. Kinds that grew most:\n\n" + table(g["grewMost"]))
        if g.get("arrays"):
            text += "\n\nInternal arrays' bytes that grew, by what holds them:\n\n" + table(g["arrays"])
    return text


def plot_soak(soak, name):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for process in dict.fromkeys(m["process"] for m in soak["memory"]):
        samples = [m for m in soak["memory"] if m["process"] == process]
        seconds = [m["s"] for m in samples]
        ax.plot(seconds, [m["rssMB"] for m in samples], label=f"{process}: RSS (native memory included)")
        ax.plot(seconds, [m["heapUsedMB"] for m in samples], label=f"{process}: JS heap used (main thread)")
    start = next((m["s"] for m in soak["memory"] if m["phase"] == "soak"), None)
    if start is not None:
        ax.axvline(start, color="grey", linestyle="--", linewidth=1, label="warm-up ends: heap snapshot (its writing takes RSS for a while)")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("seconds")
    ax.set_ylabel("MB")
    ax.set_title(f"Memory while {soak['players']} visitors at a time come and go" + (" (Kafka)" if soak.get("kafka") else ""))
    ax.legend(fontsize=7)
    return save(fig, name)


def plot_npc_memory_sweep(d):
    rows = d["rows"]
    modes = [r["mode"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for ax, key, label in zip(axes, ["redisLongestWaitMs", "sweepS", "peakMemoryMB"],
                              ["Redis's longest wait for others (ms)", "sweep (s)", "sweeping process's peak memory (MB)"]):
        ax.bar(modes, [r[key] for r in rows], color=["#c44e52", "#4c72b0"])
        ax.set_title(label, fontsize=9)
    fig.suptitle(f"Sweeping an NPC's memory of {rows[0]['accounts']:,} accounts ({rows[0]['forgotten']:,} forgotten)", fontsize=10)
    return save(fig, "npc-memory-sweep.png")


def many_npcs_text(d):
    speakers = f", {d['speakers']}" if d.get("speakers") else ""
    return (f"NPCs sharing one knowledge file of {d['knowledgeLines']} lines{speakers}. startCheckMs: `loadWorldFile` with the default "
            f"moderator, the median of {d['checks']} runs; cast: `NpcCast.load` (the shipped model), its heap grown and the "
            f"knowledge indexes it built; {d['questions']} questions at once through the cast's queue, one to each of "
            f"npcsAsked NPCs (spread) or all to one, {d['rounds']} rounds in turns, batches as the engine answered them "
            f"(spreadOverOneNpc: the median of the rounds' ratios); server: `npm start`'s process, its NPC worker idle, "
            f"{d['players']} players moving at 10 Hz for {d['seconds']} s among the NPCs (`walking` of them on routes).\n\n"
            + table(d["rows"]))


def plot_many_npcs(d):
    rows = d["rows"]
    npcs = [r["npcs"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for ax, key, label in zip(axes, ["startCheckMs", "castMs", "serverCpuMsPerS"],
                              ["world file's start check (ms)", "worker's cast (ms)", f"server CPU, {d['players']} players moving (ms/s)"]):
        ax.plot(npcs, [r[key] for r in rows], marker="o")
        ax.set_xlabel("NPCs")
        ax.set_ylim(bottom=0)
        ax.set_title(label, fontsize=9)
    fig.suptitle("What NPCs cost as a world grows", fontsize=10)
    return save(fig, "many-npcs.png")


def model_ab_text(d):
    differ = d["differ"]
    return (f"Before: `{d['models']['before']}` ({d['modelNames']['before']}); after: `{d['models']['after']}` "
            f"({d['modelNames']['after']}); {d['rounds']} rounds, the models in turns.\n\n" + table(d["rows"]) +
            f"\n\nAnswers that differ: {len(differ['everyday'])} of {d['questions']['everyday']} everyday questions, "
            f"{len(differ['chatbot'])} of Chatbot_data's first {d['questions']['chatbot']}.")


def moderation_text(d):
    text = table(d["rows"]) + f"\n\n{d['microsPerCheck']:.1f} µs per check. HateSpeech: the dev split of Korean HateSpeech (kocohub/korean-hate-speech, CC BY-SA 4.0)."
    toxicity = d.get("toxicity")
    if toxicity:  # the learned score (moderation/toxicity.json), off by default: the sets refused by the words or the score
        text += (f"\n\nThe words, or the learned toxicity score at or above {toxicity['bar']}:\n\n" + table(toxicity["rows"])
                 + f"\n\n{toxicity['microsPerScoredCheck']:.1f} µs per player line checked and scored; the score alone {toxicity['microsPerScore']:.1f} µs.")
    return text


def save(fig, name):
    fig.tight_layout()
    fig.savefig(RESULTS / name, dpi=110)
    plt.close(fig)
    return name


def main():
    parts = ["# Benchmarks\n", "Written by `npm run bench` (each benchmark alone: `npm run bench:npc|chat|index|loadtest|fairness|one-address|busy-room|sight|many-npcs|soak|schema-refcounts|npc-memory-sweep|reports-list|presence-file|archive-erasure|moderation|broker-restart|idle|analytics|archive`; `npm run bench:model-ab -- --before <model folder>` compares two exports of the model; `npm run bench:smoke` runs each TypeScript benchmark at its smallest size into a scratch folder, to show it still finishes). `npm run bench` runs each once as `npm start` runs; the Kafka sections (`-- --kafka`) and the 30- and 60-minute soaks are run by hand, so their dates may be older.",
             "Numbers are from one run on the machine named in each section; compare ratios within a run. Event-loop delays\n"
             "(serverLoopP99, botLoopP99, serverLoopP99Ms) of runs before 2026-12-04 21:00 UTC include Node's 10 ms sampling interval, which\n"
             "an idle loop reads; since then it is taken off. Every `…MB` column is 2^20 bytes (MiB); until 2026-12-06\n"
             "`bench:presence-file`, `bench:archive-erasure` and `bench:npc-memory-sweep` counted 10^6 (4.9% more than in MiB).\n"]
    sections = [
        ("npc", "NPC brain (`bench:npc`)", lambda d: table(d["rows"]) + "\n\n" + table([{"measure": k, "value": v} for k, v in d["summary"].items()]), None),
        ("chat", "Chat → NPC answer, embedded vs Kafka (`bench:chat`)", lambda d: table(d["rows"]) + "\n\n" + table([{"measure": k, "value": v} for k, v in d["summary"].items()]), lambda d: [plot_answer_latency(d), plot_embedded_vs_kafka(d)]),
        ("index", "Chat log into Elasticsearch (`bench:index`)", lambda d: table([{"measure": k, "value": v} for k, v in d["summary"].items()]) + "\n\n" + table(d["rows"]), None),
        ("loadtest", "Load-test bots vs one server (`bench:loadtest`)", lambda d: table(d["rows"]), lambda d: [plot_loadtest(d)]),
        ("loadtest-kafka", "The same on Kafka: server and NPC worker apart (`bench:loadtest -- --kafka`)", lambda d: table(d["rows"]),
         lambda d: [plot_loadtest(d, "loadtest-kafka.png", "Bots vs patch delay, server and NPC worker on Kafka")]),
        ("fairness", "50 players ask one NPC at once (`bench:fairness`)", fairness_text, lambda d: [plot_fairness(d)]),
        ("one-address", "One address's 40 players flood an NPC; the others' waits (`bench:one-address`)", lambda d: table(d["rows"]) + "\n\n" + "; ".join(
            f"{r['brain']}: the others' median wait by player is {r['ratio']}× theirs by address" for r in d["othersMedianByPlayerOverByAddress"]) + ".", None),
        ("busy-room", "A quiet room's wait while busy rooms keep one worker busy (`bench:busy-room`)", lambda d: table(d["rows"]) + f"\n\nThe busy rooms: {d['busyAnswersPerSecond']} answers/s while the quiet player asked.", None),
        ("sight", "Bytes each client receives, with and without a sight radius (`bench:sight`)", lambda d: table(d["rows"]) + f"\n\nA sight radius of {d['radius']} sends each client {100 * d['bytesSavedBySight']:.0f}% fewer bytes." + (f" Three NPCs walking routes add {d['kbPerSecondAddedByWalkingNpcs']} KB/s a client." if "kbPerSecondAddedByWalkingNpcs" in d else "") + (f" An NPC that talks in private (its lines sent as messages, the view shared) takes {d['serverCpuWithPrivateTalkX']}× the server CPU of none." if "serverCpuWithPrivateTalkX" in d else ""), None),
        ("many-npcs", "What NPCs cost as a world grows (`bench:many-npcs`)", many_npcs_text, lambda d: [plot_many_npcs(d)]),
        ("moderation", "Moderation filter (`bench:moderation`)", moderation_text, None),
        ("broker-restart", "Answers again after a Kafka broker restart (`bench:broker-restart`)", lambda d: table(d["rows"]), None),
        ("idle", "What a game nobody plays costs: CPU with no player connected (`bench:idle`)", lambda d: table(d["rows"]), None),
        ("soak", "Memory while players come and go for minutes (`bench:soak`)", soak_text, lambda d: [plot_soak(d, "soak.png")]),
        ("soak-kafka", "The same on Kafka: server and NPC worker (`bench:soak -- --kafka`)", soak_text, lambda d: [plot_soak(d, "soak-kafka.png")]),
        ("schema-refcounts", "What the state's fix for kept reference counts costs its encoder (`bench:schema-refcounts`)", lambda d: table(d["rows"]) + f"\n\nWith the fix / without it, round by round: median {d['ratio']['median']} ({d['ratio']['min']}–{d['ratio']['max']}).", None),
        ("npc-memory-sweep", "Sweeping an NPC's memory of the accounts it met, on Redis (`bench:npc-memory-sweep`)", lambda d: table(d["rows"]), lambda d: [plot_npc_memory_sweep(d)]),
        ("reports-list", "The moderators' console's listing at 10,000 open reports (`bench:reports-list`)", lambda d: table(d["rows"]), None),
        ("presence-file", "Saving whom NPCs met without Redis (`bench:presence-file`)", lambda d: table(d["rows"]), None),
        ("archive-erasure", "A player's erasure from the embedded chat archive (`bench:archive-erasure`)", lambda d: table(d["rows"]), None),
        ("model-ab", "Two exports of the model side by side (`bench:model-ab`)", model_ab_text, None),
        # The Spark benchmarks draw their own plots.
        ("analytics", "Report job over a 1M-record archive (`bench:analytics`)", lambda d: table(d["rows"]), lambda d: ["analytics.png"]),
        ("archive", "Kafka → Parquet archive, local folder and HDFS (`bench:archive`)", lambda d: table(d["rows"]), lambda d: ["archive.png"]),
    ]
    for name, title, render, plots in sections:
        data = load(name)
        if data is None:
            continue
        machine = data.get("machine", {})
        parts.append(f"## {title}\n")
        runtime = f"Node {machine['node']}" if "node" in machine else f"Python {machine.get('python')}"
        memory = f" · {machine['memoryGB']} GB" if "memoryGB" in machine else ""
        parts.append(f"{data['date'][:16].replace('T', ' ')} UTC · {machine.get('cpu')} × {machine.get('cores')} cores{memory} · {runtime}\n")
        for image in (plots(data) if plots else []):
            if image:
                parts.append(f"![{image}](results/{image})\n")
        parts.append(render(data) + "\n")
    (Path(__file__).parent / "README.md").write_text("\n".join(parts))
    print("wrote bench/README.md and", ", ".join(sorted(p.name for p in RESULTS.glob("*.png"))))


if __name__ == "__main__":
    main()
