// `node --import ./test/helpers/without-pm2.mjs …`: @pm2/io cannot be imported, as in the production image, which
// installs no devDependencies (@pm2/io comes only with @colyseus/testing's tools; Colyseus loads it when it is there).
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
  if (specifier === "@pm2/io") throw Object.assign(new Error("Cannot find package '@pm2/io'"), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}`),
);
