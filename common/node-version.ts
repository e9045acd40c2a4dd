/**
 * Imported first by each process's entry point: on a Node older than 22 (a host's own `node`, which the tsx of
 * node_modules/.bin runs when called outside npm) the server failed later, in its NPC worker thread, with "Unknown file
 * extension .ts", which named no version.
 */
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(`Node 22 or newer is needed; this is Node ${process.version}. npm install brings Node 22: run node_modules/.bin/node --import tsx <entry>, or put node_modules/.bin first on PATH (npm scripts do).`);
  process.exit(1);
}
