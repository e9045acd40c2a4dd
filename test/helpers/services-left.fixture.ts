/**
 * Mocha global fixture: stops the servers and workers (tools/processes.ts startService) that a test left running, and
 * names them. A test that failed before its own stop left one, and mocha, which waits for the event loop to empty,
 * waited on its output pipes for good: the run printed its results and never ended.
 */
import { stopServicesLeft } from "../../tools/processes.js";

export async function mochaGlobalTeardown(): Promise<void> {
  const left = await stopServicesLeft();
  if (left.length > 0) console.error(`Stopped services a test left running (did a test fail before stopping them?): ${left.join(", ")}`);
}
