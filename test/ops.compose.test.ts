import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";

import { ENV_SCHEMA, loadConfig } from "../server/config.js";

/** Docker can't run on these machines: this keeps docker-compose.yml in step with the code by reading it. */
describe("docker-compose.yml", () => {
  const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, unknown>; ports?: string[]; volumes?: string[]; image?: string; build?: string }>;
  };
  const services = compose.services;
  const appServices = Object.entries(services).filter(([, s]) => s.build);
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
    assert.match(String(services[kafkaHost!]!.environment!.KAFKA_ADVERTISED_LISTENERS), new RegExp(`//${kafkaHost}:${kafkaPort}$`));
    const es = new URL(String(server.ES_URL));
    assert.ok(services[es.hostname], `no service ${es.hostname}`);
    assert.ok(services[es.hostname]!.ports!.some((p) => p.endsWith(`:${es.port}`)));
    assert.equal(String(services.kibana!.environment!.ELASTICSEARCH_HOSTS), es.origin);
  });

  it("points Redis at the redis service, and gives each server its own id, port and public address", () => {
    const servers = appServices.filter(([name]) => name.startsWith("server"));
    assert.equal(servers.length, 2);
    const redis = new URL(String(servers[0]![1].environment!.REDIS_URL));
    assert.ok(services[redis.hostname]?.ports?.some((p) => p.endsWith(`:${redis.port}`)));
    const ids = new Set(servers.map(([, s]) => s.environment!.SERVER_ID));
    assert.equal(ids.size, 2);
    for (const [name, service] of servers) {
      const port = String(service.environment!.PORT);
      assert.ok(service.ports!.includes(`${port}:${port}`), `${name} publishes ${port}`);
      assert.match(String(service.environment!.PUBLIC_ADDRESS), new RegExp(`:${port}$`), `${name}'s public address names its port`);
    }
  });

  it("runs entry points that exist", () => {
    for (const [name, service] of appServices) {
      const entry = service.command!.at(-1)!;
      assert.ok(existsSync(entry), `${name} runs ${entry}, which does not exist`);
    }
  });

  it("mounts files that exist, and the image copies folders that exist", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        if (source.startsWith("./")) assert.ok(existsSync(source), `${name} mounts missing ${source}`);
      }
    }
    const copies = readFileSync("Dockerfile", "utf8").matchAll(/^COPY (.+) \S+$/gm);
    for (const [, sources] of copies) {
      for (const source of sources!.split(" ")) assert.ok(existsSync(source.replace("/*.ts", "")), `Dockerfile copies missing ${source}`);
    }
  });
});
