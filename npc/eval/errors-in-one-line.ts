/**
 * Imported first by the eval tools: whatever stops one (a model folder that is not there, an unknown option) is
 * said in one line, `error: …`, with exit code 2, not as a stack trace through the module loader.
 */
process.on("uncaughtException", (error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(2);
});
