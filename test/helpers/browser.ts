import { execFileSync } from "node:child_process";
import { type Browser, chromium } from "playwright-core";

import { freePort, startService } from "../../tools/processes.js";

/** Debian's Chromium, or the one CHROMIUM_PATH names. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface BrowserWorld {
  /** The embedded server's page, `http://127.0.0.1:<port>`. */
  url: string;
  browser: Browser;
  stop(): Promise<void>;
}

/** What a browser test drives: the web client built, the embedded server (`npm start`'s) started as `name` with `env`, and Chromium. */
export async function startBrowserWorld(name: string, env: Record<string, string> = {}): Promise<BrowserWorld> {
  execFileSync("node_modules/.bin/tsx", ["web-client/build.ts"], { stdio: "inherit" });
  const port = await freePort();
  const server = await startService(name, "server/main.ts", { PORT: String(port), ...env }, "world server listening");
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    return {
      url: `http://127.0.0.1:${port}`,
      browser,
      async stop() {
        await browser.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
