import assert from "node:assert/strict";

import { createLogger } from "../common/log.js";
import { firstTryThenInBackground, StoppedTrying, untilReachable } from "../common/until-reachable.js";
import { isKafkaError } from "../kafka/kafka-client.js";

/** A step that fails its first `failures` tries with `error`, then succeeds; `tries` counts them. */
function failingFor(failures: number, error: Error = Object.assign(new Error("connect ECONNREFUSED"), { name: "KafkaJSConnectionError" })) {
  const step = async () => {
    step.tries++;
    if (step.tries <= failures) throw error;
  };
  step.tries = 0;
  return step;
}

describe("untilReachable (a service not up yet)", () => {
  const warnings: string[] = [];
  const log = createLogger({}, "warn", (line) => warnings.push(JSON.parse(line).msg));
  beforeEach(() => warnings.splice(0));

  it("tries again until the step succeeds, logging the first failure once", async () => {
    const step = failingFor(2);
    await untilReachable("kafka", step, log);
    assert.equal(step.tries, 3);
    assert.deepEqual(warnings, ["kafka not reachable yet; retrying"]);
  });

  it("ends at a failure that is not the service's being away (a SERVER_ID in use), with that error", async () => {
    const step = failingFor(5, new Error("SERVER_ID=s is in use"));
    await assert.rejects(untilReachable("kafka", step, log, { retries: isKafkaError }), /SERVER_ID=s is in use/);
    assert.equal(step.tries, 1);
  });

  it("ends with StoppedTrying once its caller stops (shutdown)", async () => {
    let stopped = false;
    const step = failingFor(Infinity);
    const trying = untilReachable("kafka", step, log, { stopped: () => stopped });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stopped = true;
    await assert.rejects(trying, StoppedTrying);
    assert.ok(step.tries >= 1 && step.tries <= 2, `${step.tries} tries`);
  });

  it("firstTryThenInBackground: settles the first try when it fails, and reaches the service later", async () => {
    const step = failingFor(2);
    const { firstTry, reached } = firstTryThenInBackground("kafka", step, log);
    await firstTry;
    assert.equal(step.tries, 1, "the caller goes on after one try");
    await reached;
    assert.equal(step.tries, 3);
  });

  it("firstTryThenInBackground: a first try that fails for good rejects both", async () => {
    const { firstTry, reached } = firstTryThenInBackground("kafka", failingFor(1, new Error("SERVER_ID=s is in use")), log, { retries: isKafkaError });
    await assert.rejects(firstTry, /in use/);
    await assert.rejects(reached, /in use/);
  });
});
