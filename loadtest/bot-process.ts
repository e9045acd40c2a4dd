/**
 * One load-generating process (forked by runLoadTest): runs a BotSwarm as the parent says.
 * parent → {start, options} · child → {joined} · parent → {measure, durationS} · child → {report}.
 */
import { BotSwarm, type SwarmOptions } from "./bots.js";

type FromParent = { type: "start"; options: SwarmOptions } | { type: "measure"; durationS: number };

let swarm: BotSwarm | undefined;
// The load test ended without telling (killed): its bots go too, rather than stay in the rooms until timed out.
process.on("disconnect", () => process.exit(1));
process.on("message", (message: FromParent) => {
  void (async () => {
    try {
      if (message.type === "start") {
        swarm = new BotSwarm(message.options);
        await swarm.join();
        process.send!({ type: "joined" });
      } else {
        const report = await swarm!.measure(message.durationS);
        await swarm!.leave();
        process.send!({ type: "report", report }, () => process.exit(0));
      }
    } catch (error) {
      process.send!({ type: "failed", message: String(error) }, () => process.exit(1));
    }
  })();
});
