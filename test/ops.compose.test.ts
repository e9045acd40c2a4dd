import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { parse } from "yaml";

import { ENV_SCHEMA, loadConfig } from "../server/config.js";

/** Docker can't run on these machines: this keeps docker-compose.yml in step with the code by reading it. */
describe("docker-compose.yml", () => {
  const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as {
    services: Record<string, { command?: string[]; entrypoint?: string[]; environment?: Record<string, unknown>; ports?: string[]; volumes?: string[]; image?: string; healthcheck?: { test?: string[] } }>;
  };
  const services = compose.services;
  const appServices = Object.entries(services).filter(([, s]) => s.image === "kobot-world:latest");
  const sparkServices = Object.entries(services).filter(([, s]) => s.image === "kobot-analytics:latest");
  const known = new Set(Object.keys(ENV_SCHEMA.shape));

  it("gives the project's processes only variables the code reads, with values it accepts", () => {
    assert.deepEqual(appServices.map(([name]) => name).sort(), ["indexer", "server-1", "server-2", "worker"]);
    for (const [name, service] of appServices) {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v ?? "")]));
      const unknown = Object.keys(env).filter((key) => !known.has(key));
      assert.deepEqual(unknown, [], `${name} sets variables nobody reads`);
      // `${ADMIN_USER:-}` style values come from the operator's shell; leave them unset here.
      const literal = Object.fromEntries(Object.entries(env).filter(([, v]) => !v.includes("${")));
      assert.doesNotThrow(() => loadConfig(literal), `${name}'s environment is rejected by server/config.ts`);
    }
  });

  it("points Kafka and Elasticsearch addresses at services that listen there", () => {
    const server = services["server-1"]!.environment!;
    const [kafkaHost, kafkaPort] = String(server.KAFKA_BROKERS).split(":");
    assert.ok(services[kafkaHost!], `no service ${kafkaHost}`);
    const advertised = String(services[kafkaHost!]!.environment!.KAFKA_ADVERTISED_LISTENERS).split(",");
    assert.ok(advertised.some((listener) => listener.endsWith(`//${kafkaHost}:${kafkaPort}`)), `the broker advertises ${kafkaHost}:${kafkaPort}`);
    const es = new URL(String(server.ES_URL));
    assert.ok(services[es.hostname], `no service ${es.hostname}`);
    assert.ok(services[es.hostname]!.ports!.some((p) => p.endsWith(`:${es.port}`)));
    assert.equal(String(services.kibana!.environment!.ELASTICSEARCH_HOSTS), es.origin);
  });

  it("indexes the chat log only through the project's indexer, which keeps erased players' lines out and refused ones as dead letters", () => {
    // The Logstash profile read chat.log in a group of its own from the earliest offset, without the erasure marks:
    // turned on, it put every erased player's lines back in Elasticsearch, and dropped the ones it refused.
    const namesElasticsearch = (env: Record<string, unknown>) => Object.values(env).some((value) => String(value).includes("//elasticsearch:"));
    const chatLogIntoEs = Object.entries(services).filter(([, s]) => s.environment?.CHAT_LOG_TOPIC !== undefined && namesElasticsearch(s.environment));
    for (const [name, service] of chatLogIntoEs) assert.equal(service.image, "kobot-world:latest", `${name} reads chat.log into Elasticsearch`);
    assert.ok(chatLogIntoEs.some(([name]) => name === "indexer"));
  });

  it("points Redis at the redis service, and gives each server its own id, port, and public route through the proxy", () => {
    const servers = appServices.filter(([name]) => name.startsWith("server"));
    assert.equal(servers.length, 2);
    const redis = new URL(String(servers[0]![1].environment!.REDIS_URL));
    assert.ok(services[redis.hostname]?.ports?.some((p) => p.endsWith(`:${redis.port}`)));
    const ids = new Set(servers.map(([, s]) => s.environment!.SERVER_ID));
    assert.equal(ids.size, 2);
    const proxy = services.proxy!;
    const template = readFileSync(proxy.volumes!.find((v) => v.includes("/etc/nginx/templates/"))!.split(":")[0]!, "utf8");
    for (const [, variable] of template.matchAll(/\$\{(\w+)\}/g)) {
      assert.ok(proxy.environment![variable!] !== undefined, `the proxy's environment sets ${variable}, which the image fills into the template`);
    }
    const listen = String(proxy.environment!.KOBOT_PROXY_LISTEN);
    assert.ok(proxy.ports!.includes(`${listen}:${listen}`), "the proxy publishes the port it listens on");
    for (const [i, [name, service]] of servers.entries()) {
      const env = service.environment!;
      assert.equal(String(env.TRUST_PROXY), "1", `${name} reads players' addresses from the proxy`);
      assert.equal(service.ports, undefined, `${name} is reached only through the proxy`);
      // Its public address is the proxy's port and the path the template routes to the server the proxy names.
      assert.match(String(env.PUBLIC_ADDRESS), new RegExp(`:${listen}/server-${i + 1}$`), `${name}'s public address`);
      assert.equal(String(proxy.environment![`KOBOT_WORLD_SERVER_${i + 1}`]), `${name}:${env.PORT}`);
      // The server's name in a variable, so that nginx looks it up again (a recreated container has a new address).
      const route = new RegExp(`location /server-${i + 1}/ \\{\\s+set \\$(\\w+) \\$\\{KOBOT_WORLD_SERVER_${i + 1}\\};\\s+rewrite \\^/server-${i + 1}\\(/\\.\\*\\)\\$ \\$1 break;\\s+proxy_pass http://\\$(\\w+);`);
      const [, set, passed] = route.exec(template) ?? [];
      assert.ok(set && set === passed, `/server-${i + 1}/ goes to KOBOT_WORLD_SERVER_${i + 1}, its prefix cut off`);
    }
  });

  it("lets host tools reach Kafka: a listener advertised on 127.0.0.1 at the port published for it", () => {
    const kafka = services.kafka!;
    const external = String(kafka.environment!.KAFKA_ADVERTISED_LISTENERS).split(",").find((listener) => listener.includes("//127.0.0.1:"));
    assert.ok(external, "a listener advertised as 127.0.0.1");
    const [name, port] = [external.split(":")[0]!, external.split(":").at(-1)!];
    assert.ok(kafka.ports!.includes(`127.0.0.1:${port}:${port}`), `port ${port} published on 127.0.0.1`);
    assert.match(String(kafka.environment!.KAFKA_LISTENERS), new RegExp(`(^|,)${name}://:${port}(,|$)`), `the broker listens as ${name} on ${port}`);
    assert.match(String(kafka.environment!.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP), new RegExp(`(^|,)${name}:PLAINTEXT(,|$)`));
  });

  it("keeps the servers' metrics from players: nginx does not pass /metrics on, and METRICS_TOKEN reaches every process", () => {
    const template = readFileSync(services.proxy!.volumes!.find((v) => v.includes("/etc/nginx/templates/"))!.split(":")[0]!, "utf8");
    assert.match(template, /location ~\*? \^\(\/server-\[0-9\]\+\)\?\/metrics\/\?\$ \{\s+return 404;/);
    // The workers' and the indexer's too: set in the shell, it reached only the servers.
    for (const [name, service] of appServices) assert.equal(service.environment!.METRICS_TOKEN, "${METRICS_TOKEN:-}", name);
  });

  it("tells browsers to keep to HTTPS (HSTS) in every nginx template, on every answer, errors included", () => {
    for (const template of ["ops/nginx/world.conf.template", "ops/nginx/world-servers.conf.template"]) {
      const text = readFileSync(template, "utf8");
      assert.match(text, /^ {2}add_header Strict-Transport-Security "max-age=31536000" always;$/m, template);
      // A location's own add_header would drop the server's for that location.
      assert.equal(text.match(/add_header/g)!.length, 1, `${template}: no location sets headers of its own`);
    }
  });

  it("lets the image's user write DATA_DIR's default, and gives the report job the training data where it looks", () => {
    // Without Redis the server keeps moderation and NPCs' acquaintances in DATA_DIR; in root's /app, as node, it could not start.
    const dockerfile = readFileSync("Dockerfile", "utf8");
    const dataDir = String(ENV_SCHEMA.shape.DATA_DIR.parse(undefined));
    const user = dockerfile.match(/^USER (\S+)$/m)![1]!;
    const owned = dockerfile.slice(0, dockerfile.indexOf("USER ")).match(/^RUN mkdir (\S+) && chown (\S+):\S+ (\S+)$/m);
    assert.deepEqual(owned && [owned[1], owned[2], owned[3]], [dataDir, user, dataDir]);
    // report.py looks for Chatbot_data at <app>/../shared/data/chatbot_data (the image's /app: /shared).
    const report = readFileSync("analytics/kobot_analytics/report.py", "utf8");
    assert.match(report, /TRAINING_DATA = Path\(__file__\)\.resolve\(\)\.parents\[2\] \/ "\.\." \/ "shared" \/ "data" \/ "chatbot_data" \/ "ChatbotData\.csv"/);
    const mount = services.analytics!.volumes!.find((volume) => volume.includes(":/shared/data/chatbot_data:"));
    assert.ok(mount?.endsWith(":ro"), "the analytics job mounts the training data read-only at /shared/data/chatbot_data");
    assert.ok(existsSync(mount!.split(":-")[1]!.split("}")[0]!), "its default source is the shared data beside the project");
  });

  it("runs entry points that exist, as Node itself (tsx its loader) under Docker's init so that docker stop's SIGTERM reaches them", () => {
    for (const [name, service] of appServices) {
      const entry = service.command!.at(-1)!;
      assert.ok(existsSync(entry), `${name} runs ${entry}, which does not exist`);
      // npx and npm start a process through `sh -c`, which does not pass SIGTERM on: measured, the server kept serving.
      // The tsx command relays signals to a child Node: one sent twice at times (a second signal exits at once).
      assert.deepEqual(service.command, ["node", "--import", "tsx", entry], name);
      assert.equal((service as { init?: boolean }).init, true, name);
    }
    const cmd = readFileSync("Dockerfile", "utf8").match(/^CMD (.+)$/m)![1]!;
    assert.deepEqual(JSON.parse(cmd), ["node", "--import", "tsx", "server/main.ts"]);
  });

  it("gives the Spark jobs only variables they read, pointing at the HDFS namenode and the Spark master", () => {
    const sources = readdirSync("analytics/kobot_analytics").map((f) => readFileSync(`analytics/kobot_analytics/${f}`, "utf8")).join("\n");
    const read = new Set([...sources.matchAll(/os\.environ\.get\("([A-Z_]+)"/g)].map((m) => m[1]));
    assert.deepEqual(sparkServices.map(([name]) => name).sort(), ["analytics", "archive", "spark-master", "spark-worker"]);
    for (const [name, service] of sparkServices) {
      const unknown = Object.keys(service.environment ?? {}).filter((key) => !read.has(key));
      assert.deepEqual(unknown, [], `${name} sets variables the analytics code does not read`);
      const module = [...(service.entrypoint ?? []), ...(service.command ?? [])].join(" ").match(/-m kobot_analytics\.(\w+)/)?.[1];
      if (module) assert.ok(existsSync(`analytics/kobot_analytics/${module}.py`), `${name} runs a missing module ${module}`);
    }
    const env = services.archive!.environment!;
    const archive = new URL(String(env.ARCHIVE_URI));
    assert.equal(archive.protocol, "hdfs:");
    assert.ok(services[archive.hostname]?.ports?.some((p) => p.endsWith(`:${archive.port}`)), "ARCHIVE_URI names the namenode's RPC port");
    assert.equal(String(services.namenode!.environment!["CORE-SITE.XML_fs.defaultFS"]), `hdfs://${archive.host}`);
    const master = new URL(String(env.SPARK_MASTER));
    assert.ok(services[master.hostname]?.command?.includes(master.port), "SPARK_MASTER names the master's port");
    assert.ok(services["spark-worker"]!.command!.includes(String(env.SPARK_MASTER)), "the worker joins the same master");
    assert.equal(String(env.KAFKA_BROKERS), String(services["server-1"]!.environment!.KAFKA_BROKERS));
    for (const key of ["CHAT_LOG_TOPIC", "KAFKA_QUESTION_TOPIC", "KAFKA_ANSWER_TOPIC"] as const) {
      assert.equal(String(env[key]), String(services["server-1"]!.environment![key]), `${key}: the archive reads what the servers write`);
    }
  });

  it("mounts files that exist (read-only inputs), and the images copy folders that exist", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        // Writable mounts (./reports) are outputs that Docker creates.
        if (source.startsWith("./") && volume.endsWith(":ro")) assert.ok(existsSync(source), `${name} mounts missing ${source}`);
      }
    }
    for (const dockerfile of ["Dockerfile", "analytics/Dockerfile"]) {
      const copies = readFileSync(dockerfile, "utf8").matchAll(/^COPY (.+) \S+$/gm);
      for (const [, sources] of copies) {
        for (const source of sources!.split(" ")) assert.ok(existsSync(source.replace("/*.ts", "")), `${dockerfile} copies missing ${source}`);
      }
    }
  });

  it("mounts the world file's and knowledge files' folders into every server and worker, where the image's world file finds them", () => {
    // Edited on the host, they are taken while the processes run (server/world-files/world-reload.ts, server/world-files/knowledge-reload.ts).
    const mounts = ["./worlds:/app/worlds:ro", "./npc/knowledge:/app/npc/knowledge:ro"];
    for (const name of ["server-1", "server-2", "worker"]) {
      assert.deepEqual(mounts.filter((mount) => services[name]!.volumes?.includes(mount)), mounts, `${name} mounts both`);
    }
    // The image runs from /app, the repository's root: the default world's files must lie under the mounted folders.
    const { worldFile, brains } = loadConfig({});
    assert.ok(worldFile!.startsWith(resolve("worlds") + sep), worldFile);
    for (const { knowledge } of brains) assert.ok(knowledge?.startsWith(resolve("npc/knowledge") + sep), knowledge);
  });

  it("publishes only the players' proxy beyond this host: every other service has no security and listens on 127.0.0.1", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        if (name === "proxy") assert.match(port, /^\d+:\d+$/, `${name} faces players`);
        else assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${port} beyond this host`);
      }
    }
  });

  it("keeps Kafka's topics in a volume, at the folder the broker writes, under a fixed cluster id", () => {
    const kafka = services.kafka!;
    const logDirs = String(kafka.environment!.KAFKA_LOG_DIRS);
    assert.ok((kafka.volumes ?? []).some((volume) => volume.split(":")[1] === logDirs), `${logDirs} is a volume`);
    assert.match(String(kafka.environment!.CLUSTER_ID), /^[A-Za-z0-9_-]{22}$/, "a KRaft cluster id: 16 bytes, base64");
  });

  it("keeps Redis (mutes, bans, reports) in an append-only file in a named volume, at the folder Redis writes", () => {
    const redis = services.redis!;
    const args = redis.command ?? [];
    assert.equal(args[args.indexOf("--appendonly") + 1], "yes");
    const [volume, mount] = (redis.volumes ?? [])[0]?.split(":") ?? [];
    assert.equal(mount, "/data", "the redis image's working folder, where it writes the file");
    assert.ok(volume && volume in (compose as { volumes?: Record<string, unknown> }).volumes!, `${volume} is a named volume`);
  });

  it("checks the servers' liveness, not the NPCs': a server without a worker still runs its rooms", () => {
    for (const [name, service] of Object.entries(services).filter(([name]) => name.startsWith("server-"))) {
      assert.match(service.healthcheck!.test!.join(" "), /\/health\/live'/, name);
    }
  });

  it("formats HDFS on first start: the namenode's folder lies inside its volume, not at its mount point", () => {
    // The image formats only a folder that does not exist yet; a volume mounted on it makes it exist.
    const namenode = services.namenode!;
    const nameDir = String(namenode.environment!.ENSURE_NAMENODE_DIR);
    assert.equal(String(namenode.environment!["HDFS-SITE.XML_dfs.namenode.name.dir"]), nameDir);
    const mounts = (namenode.volumes ?? []).map((volume) => volume.split(":")[1]!);
    assert.ok(mounts.some((mount) => nameDir.startsWith(`${mount}/`)), `${nameDir} inside a volume (${mounts.join(", ")})`);
    assert.ok(!mounts.includes(nameDir));
    const dataDir = String(services.datanode!.environment!["HDFS-SITE.XML_dfs.datanode.data.dir"]);
    assert.ok(services.datanode!.volumes!.some((volume) => dataDir.startsWith(`${volume.split(":")[1]}/`)), "the datanode keeps its blocks in its volume");
  });

  it("installs each requirements file the analytics image copies (two of the same name once overwrote pyspark's)", () => {
    const dockerfile = readFileSync("analytics/Dockerfile", "utf8");
    const copied = [...dockerfile.matchAll(/^COPY (\S+requirements\.txt) (\S+)$/gm)].map(([, from, to]) => ({ from: from!, to: to! }));
    assert.deepEqual(copied.map((c) => c.from).sort(), ["analytics/requirements.txt", "bench/requirements.txt"]);
    assert.equal(new Set(copied.map((c) => c.to)).size, copied.length, "each to a name of its own");
    const installed = [...dockerfile.matchAll(/-r (\S+)/g)].map(([, file]) => file);
    assert.deepEqual(installed.sort(), copied.map((c) => c.to).sort());
    assert.match(readFileSync("analytics/requirements.txt", "utf8"), /^pyspark==/m);
  });

  it("copies into the image every file its processes load: the entry points of the CMD and the compose file, and what they import", () => {
    const sources = [...readFileSync("Dockerfile", "utf8").matchAll(/^COPY (\S+) \.\/\S*$/gm)].map(([, source]) => source!);
    const copied = (file: string) =>
      sources.some((source) => (source.endsWith("/*.ts") ? dirname(file) === source.slice(0, -"/*.ts".length) : file === source || file.startsWith(`${source}/`)));
    const cmd = JSON.parse(readFileSync("Dockerfile", "utf8").match(/^CMD (.+)$/m)![1]!) as string[];
    const entries = [...cmd, ...appServices.flatMap(([, service]) => service.command ?? [])].filter((arg) => arg.endsWith(".ts"));
    assert.ok(entries.includes("npc/worker/worker-main.ts") && entries.includes("server/main.ts"), entries.join(", "));
    const missing = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      if (!copied(file)) missing.add(file);
      // Modules it imports, and the worker thread's, started by its file's URL.
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:^import[^"']*|^export[^"']* from |new URL\()["'](\.{1,2}\/[^"']+)["']/gm)) {
        const target = join(dirname(file), spec!.replace(/\.js$/, ".ts"));
        if (target.endsWith(".ts")) visit(target);
      }
    };
    entries.forEach(visit);
    assert.ok(seen.size > 100, `the walk finds the imports (${seen.size} files)`);
    assert.deepEqual([...missing].sort(), []);
  });

  it("installs every package the image's code imports: the image leaves devDependencies out (NODE_ENV=production)", () => {
    const { dependencies } = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
    const copied = [...readFileSync("Dockerfile", "utf8").matchAll(/^COPY (\S+) \.\/\S*$/gm)].map(([, source]) => source!);
    const sources = copied.flatMap((source) => (source.endsWith("/*.ts") ? [source.replace("/*.ts", "")] : [source])).filter((dir) => existsSync(dir) && !dir.endsWith(".json"));
    const imported = new Set<string>();
    for (const dir of sources) {
      for (const file of readdirSync(dir, { recursive: true }) as string[]) {
        if (!file.endsWith(".ts") || file.includes("node_modules")) continue;
        for (const [, name] of readFileSync(`${dir}/${file}`, "utf8").matchAll(/^import[^"']*["']([^."'][^"']*)["']/gm)) {
          if (!name!.startsWith("node:")) imported.add(name!.startsWith("@") ? name!.split("/").slice(0, 2).join("/") : name!.split("/")[0]!);
        }
      }
    }
    assert.ok(imported.has("@colyseus/core") && imported.has("yaml"), "the scan finds imports");
    assert.deepEqual([...imported].filter((name) => !(name in dependencies)).sort(), []);
  });
});
