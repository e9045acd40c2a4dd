import assert from "node:assert/strict";

import type { NpcCheck } from "../server/npc-readiness.js";
import { watchWorkerAbsence } from "../server/worker-absence.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The worker group as kafkaNpcCheck reports it: `workers` members, or null with the broker down; `looks` counts checks. */
function group(workers: number | null) {
  const seen = { workers, looks: 0 };
  const check = async (): Promise<NpcCheck> => {
    seen.looks++;
    if (seen.workers === null) return { npc: "broker_down", workers: null };
    return { npc: seen.workers > 0 ? "ready" : "no_worker", workers: seen.workers };
  };
  return { seen, check };
}

describe("Worker absence (Kafka: refuse questions once no worker has run for a question's whole wait)", () => {
  it("refuses only once the group has stayed empty past the grace, and again takes questions once a worker is back", async () => {
    const { seen, check } = group(0);
    const absence = watchWorkerAbsence(check, 100);
    assert.equal(absence.long(), false, "nothing seen yet: the first look is in the background");
    await sleep(20);
    assert.equal(absence.long(), false, "empty, but for less than the grace (a worker restarting)");
    await sleep(120);
    assert.equal(absence.long(), true, "empty past the grace");
    seen.workers = 1;
    await absence.check(); // /health's look counts too
    assert.equal(absence.long(), false);
  });

  it("takes the first question after a quiet spell when a worker came back meanwhile: the empty group is looked at on its own", async () => {
    const { seen, check } = group(0);
    const absence = watchWorkerAbsence(check, 0, 200); // looking every 0.2 s, not 2
    absence.long();
    await sleep(20);
    assert.equal(absence.long(), true, "empty past the grace");
    seen.workers = 1; // back, and nobody asks for a while (compose probes /health/live, not /health)
    await sleep(300);
    assert.equal(absence.long(), false, "not refused no_worker on what was seen before the worker came back");
    const looks = seen.looks;
    await sleep(300);
    assert.equal(seen.looks, looks, "a group with a worker is not looked at on its own");
  });

  it("says nothing of the workers while the broker does not answer, and looks at most every 2 s", async () => {
    const { seen, check } = group(null);
    const absence = watchWorkerAbsence(check, 0);
    for (let i = 0; i < 50; i++) absence.long();
    await sleep(20);
    assert.equal(absence.long(), false);
    assert.equal(seen.looks, 1);
  });
});
