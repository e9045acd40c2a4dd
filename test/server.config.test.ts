import assert from "node:assert/strict";

import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { DEFAULT_NPC } from "../rooms/world-settings.js";
import { QuestionMessage } from "../kafka/contract.js";
import { ConfigError, defaultServerId, ENV_SCHEMA, loadConfig, loadIndexerConfig, loadRedriveConfig, loadWorkerConfig } from "../server/config.js";

describe("Server configuration from the environment", () => {
  it("makes a default SERVER_ID from the hostname that a question's replyTo can carry, a pod's 63-character name too", () => {
    assert.equal(defaultServerId("game-1", "2567"), "game-1-2567");
    const pod = "world-server-deployment-7d9f8c6b5-abcde.eu-west-1.compute.internal"; // 68 characters
    const ids = [defaultServerId(pod, "2567"), defaultServerId(pod.replace("abcde", "fghij"), "2567"), defaultServerId("x".repeat(63), "65535")];
    for (const id of ids) {
      assert.ok(id.length <= 64 && /^[A-Za-z0-9._-]+$/.test(id), id);
      assert.ok(id.endsWith("-2567") || id.endsWith("-65535"), id);
      QuestionMessage.shape.replyTo.parse(id); // an id over 64 made the workers refuse every question
      assert.equal(ENV_SCHEMA.shape.SERVER_ID.safeParse(id).success, true, id);
    }
    assert.notEqual(ids[0], ids[1], "two long names that share a beginning");
    assert.equal(defaultServerId("host_with space", "1"), "host_with-space-1");
  });

  it("runs the embedded default when KAFKA_BROKERS is unset or empty", () => {
    const config = loadConfig({});
    assert.equal(config.port, 2567);
    assert.equal(config.kafka, undefined);
    assert.equal(config.world.maxClients, 50);
    assert.equal(config.world.chatHistory, 50);
    assert.equal(config.world.questionTimeoutMs, 10_000);
    assert.deepEqual(config.world.npcs.map((npc) => npc.id), ["kobot", "hans", "mina"], "the village of worlds/village.yaml");
    assert.equal(loadConfig({ KAFKA_BROKERS: "" }).kafka, undefined);
  });

  it("serves the model MODEL_DIR names to the village's NPCs (the default world file leaves `default` to it)", () => {
    const brains = (env: Record<string, string>) => new Set(loadConfig(env).brains.map((brain) => brain.modelDir));
    assert.deepEqual(brains({ MODEL_DIR: "/models/retrained" }), new Set(["/models/retrained"]));
    assert.deepEqual(brains({}), new Set([resolve("npc/model")]));
  });

  it("reads a variable of spaces alone as unset, not as 0: for a limit, 0 is none", () => {
    const config = loadConfig({ PORT: " ", CONNECTIONS_PER_ADDRESS: "\t", JOINS_WAITING_PER_ADDRESS: " " });
    const defaults = loadConfig({});
    assert.equal(config.port, 2567);
    assert.deepEqual([config.connectionsPerAddress, config.world.joinsWaitingPerAddress], [defaults.connectionsPerAddress, defaults.world.joinsWaitingPerAddress]);
    assert.ok(defaults.connectionsPerAddress > 0);
  });

  it("keeps moderation and whom NPCs met in DATA_DIR only without Redis (which keeps them), and not with DATA_DIR off", () => {
    assert.equal(loadConfig({}).keptDir, "data");
    assert.equal(loadConfig({ DATA_DIR: "/var/kobot" }).keptDir, "/var/kobot");
    assert.equal(loadConfig({ DATA_DIR: "off" }).keptDir, undefined);
    assert.equal(loadConfig({ DATA_DIR: "OFF" }).archiveDir, undefined, "off in any case");
    // A space or an env file's quotes around "off" made a folder of that name, keeping the players' words.
    for (const dir of ["off ", '"off"', "'data'"]) assert.throws(() => loadConfig({ DATA_DIR: dir }), /DATA_DIR=.*: no spaces or quotes around it/, dir);
    assert.equal(loadConfig({ REDIS_URL: "redis://redis:6379" }).keptDir, undefined);
  });

  it("has one NPC from NPC_ID and NPC_NAME when WORLD_FILE is off", () => {
    const config = loadConfig({ WORLD_FILE: "off", NPC_ID: "guide", NPC_NAME: "안내원" });
    assert.deepEqual(config.world.npcs, [{ ...DEFAULT_NPC, id: "guide", name: "안내원" }]);
    assert.deepEqual(config.brains, [{ npcId: "guide", name: "안내원", model: "default", modelDir: config.model.dir }]);
  });

  it("reads Kafka brokers and topic names", () => {
    const config = loadConfig({ KAFKA_BROKERS: "a:9092, b:9093", KAFKA_QUESTION_TOPIC: "Question", SERVER_ID: "s1" });
    assert.deepEqual(config.kafka, {
      brokers: ["a:9092", "b:9093"],
      topics: { question: "Question", answer: "npc.answer" },
      workerGroup: "kobot-npc-workers",
      chatLog: { log: "chat.log", dead: "chat.log.dead" },
      indexerGroup: "kobot-chat-indexer",
      retentionMs: 168 * 3_600_000,
    });
    assert.equal(config.serverId, "s1");
    assert.equal(loadConfig({ KAFKA_BROKERS: "a:9092", KAFKA_RETENTION_HOURS: "1.5" }).kafka?.retentionMs, 5_400_000);
  });

  it("names the variable, its value and the rule for every bad value", () => {
    assert.throws(
      () => loadConfig({ PORT: "http", MAX_CLIENTS: "0", LOG_LEVEL: "loud" }),
      (error: Error) =>
        error instanceof ConfigError &&
        /PORT="http"/.test(error.message) &&
        /MAX_CLIENTS="0": .*>=1/.test(error.message) &&
        /LOG_LEVEL="loud": one of debug/.test(error.message),
    );
    assert.equal(loadConfig({}).model.loadWithinMs, 120_000);
    assert.equal(loadConfig({ MODEL_LOAD_TIMEOUT_MS: "300000" }).model.loadWithinMs, 300_000, "a bigger model on a slow disk");
    assert.throws(() => loadConfig({ MODEL_LOAD_TIMEOUT_MS: "5" }), /MODEL_LOAD_TIMEOUT_MS="5": .*>=1000/);
    // A queue of none would turn every question away as npc_busy.
    assert.throws(() => loadConfig({ NPC_QUEUE_MAX: "0" }), /NPC_QUEUE_MAX="0": .*>=1/);
    for (const level of ["constructor", "toString"]) assert.throws(() => loadConfig({ LOG_LEVEL: level }), new RegExp(`LOG_LEVEL="${level}": one of debug`), level);
    assert.throws(() => loadConfig({ KAFKA_BROKERS: "localhost" }), /KAFKA_BROKERS="localhost": expected host:port/);
    assert.throws(() => loadConfig({ KAFKA_RETENTION_HOURS: "0" }), /KAFKA_RETENTION_HOURS="0": .*>=0.1/);
    assert.throws(() => loadConfig({ KAFKA_RETENTION_HOURS: "1e-7" }), /KAFKA_RETENTION_HOURS="1e-7"/, "a retention Kafka would round to 0 ms");
    assert.throws(() => loadConfig({ KAFKA_BROKERS: " , " }), /KAFKA_BROKERS=" , ": expected host:port/, "not the embedded default, silently");
    // Each of these was retried for ever as a broker away (health: broker_down, with the broker up).
    for (const brokers of ["kafka:99999", "kafka:0"]) assert.throws(() => loadConfig({ KAFKA_BROKERS: brokers }), /ports 1–65535/, brokers);
    assert.throws(() => loadConfig({ KAFKA_QUESTION_TOPIC: "npc question" }), /KAFKA_QUESTION_TOPIC="npc question": letters, digits/);
    assert.throws(() => loadConfig({ KAFKA_QUESTION_TOPIC: "same", KAFKA_ANSWER_TOPIC: "same" }), /KAFKA_QUESTION_TOPIC and KAFKA_ANSWER_TOPIC: name the same topic \(same\)/);
    assert.throws(() => loadConfig({ CHAT_DEAD_LETTER_TOPIC: "chat.log" }), /CHAT_LOG_TOPIC and CHAT_DEAD_LETTER_TOPIC: name the same topic/);
    assert.throws(() => loadConfig({ HOST: " 127.0.0.1" }), /HOST=" 127.0.0.1": an address or host name/);
    // Colyseus's own: "15s" failed every join while /health said ok.
    assert.throws(() => loadConfig({ COLYSEUS_SEAT_RESERVATION_TIME: "15s" }), /COLYSEUS_SEAT_RESERVATION_TIME="15s"/);
    // A rate that never refills: "say it again in Infinity s", and leavers remembered for ever.
    assert.throws(() => loadConfig({ CHAT_LINES_PER_SECOND: "1e-320" }), /CHAT_LINES_PER_SECOND="1e-320": at least 0.001/);
    assert.throws(() => loadConfig({ QUESTIONS_PER_SECOND: "0.0001" }), /QUESTIONS_PER_SECOND="0.0001": at least 0.001/);
    assert.equal(loadConfig({ QUESTIONS_PER_SECOND: "0.001" }).world.questionRate.perSecond, 0.001);
    assert.equal(loadConfig({ COLYSEUS_SEAT_RESERVATION_TIME: "7.5" }).seatReservationMs, 7_500, "as Colyseus reads it");
    assert.throws(() => loadConfig({ CHAT_LOG_TOPIC: ".." }), /CHAT_LOG_TOPIC="..": not '.' or '..'/);
    assert.throws(() => loadConfig({ NPC_ID: "Ko Bot" }), /NPC_ID="Ko Bot": lower-case letters/);
    assert.throws(() => loadConfig({ MODEL_DTYPE: "fp16" }), /MODEL_DTYPE="fp16"/);
    assert.throws(() => loadConfig({ ES_URL: "localhost:9200" }), /ES_URL="localhost:9200"/);
    assert.throws(() => loadConfig({ ADMIN_USER: "ops" }), /set both, or neither/);
    assert.throws(() => loadConfig({ ADMIN_USER: "ops", ADMIN_PASSWORD: "short" }), /ADMIN_PASSWORD=<5 characters, not shown>: at least 12/);
    // A secret's value never goes to the logs with the error.
    for (const [name, value] of [["AUTH_SECRET", "a-31-character-secret-000000000"], ["BACKEND_TOKEN", "a token with spaces but long enough to pass"], ["METRICS_TOKEN", "short"], ["ACTION_SECRET", "x"]]) {
      assert.throws(() => loadConfig({ [name!]: value }), (error: Error) => error.message.includes(`${name}=<`) && !error.message.includes(value!), name);
    }
    // Nor a password written in a URL, as Redis's and Elasticsearch's are.
    assert.throws(() => loadConfig({ REDIS_URL: "http://:hunter2@redis:6379" }), (error: Error) => error.message.includes('REDIS_URL="http://***@redis:6379"') && !error.message.includes("hunter2"));
    assert.throws(() => loadConfig({ ES_URL: "elastic://elastic:hunter2@es:9200" }), (error: Error) => error.message.includes('ES_URL="elastic://***@es:9200"') && !error.message.includes("hunter2"));
    // A raw `/` or `@` in the password is what makes the URL invalid: masked whole all the same.
    for (const [name, value] of [["REDIS_URL", "redis://:ab/cd+ef==@redis:6379"], ["REDIS_URL", "redis://:p@ss@redis:6379x"], ["ES_URL", "https://elastic:abc/def@es:9200"], ["REDIS_URL", "redis://:my pw/x@redis:6379"]] as const) {
      assert.throws(() => loadConfig({ [name]: value }), (error: Error) => error.message.includes("//***@") && !/cd\+ef|ss@|abc|my pw/.test(error.message), `${name}=${value}`);
    }
  });

  it("refuses a weak admin password at start: under 12 characters, the user's name, or with spaces at its ends", () => {
    const refused = (user: string, password: string, said: RegExp) =>
      assert.throws(() => loadConfig({ WORLD_FILE: "off", ADMIN_USER: user, ADMIN_PASSWORD: password }), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, said);
        assert.ok(!error.message.includes(password), "the password is not shown");
        return true;
      }, JSON.stringify(password));
    refused("ops", "12345678", /ADMIN_PASSWORD=<8 characters, not shown>: at least 12 characters/); // the review's 3rd guess
    refused("ops", "12345678901", /ADMIN_PASSWORD=<11 characters, not shown>: at least 12/);
    refused("administrator", "Administrator", /ADMIN_PASSWORD: the same as ADMIN_USER \(letter case aside\)/);
    refused("ops", " correct-horse-battery", /ADMIN_PASSWORD=<22 characters, not shown>: no spaces at its ends/);
    refused("ops", "correct-horse-battery\n", /no spaces at its ends/);
    assert.deepEqual(loadConfig({ WORLD_FILE: "off", ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" }).admin, { user: "ops", password: "correct-horse" });
    assert.equal(loadConfig({ WORLD_FILE: "off", ADMIN_USER: "ops", ADMIN_PASSWORD: "correct horse battery" }).admin?.password, "correct horse battery", "spaces inside are fine");
  });

  it("refuses any two secret settings with one value, naming the pair and never the value", () => {
    const value = "one-value-handed-to-everyone-0123456789";
    const names = ["ADMIN_PASSWORD", "METRICS_TOKEN", "BACKEND_TOKEN", "AUTH_SECRET", "ACTION_SECRET"];
    for (const [i, name] of names.entries()) {
      for (const other of names.slice(i + 1)) {
        const env = { WORLD_FILE: "off", ADMIN_USER: "ops", ADMIN_PASSWORD: "a-password-of-its-own-42", [name]: value, [other]: value };
        assert.throws(() => loadConfig(env), (error: Error) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, new RegExp(`${name} and ${other}: the same secret; each needs its own`));
          assert.ok(!error.message.includes(value), "the value is not shown");
          return true;
        }, `${name} = ${other}`);
      }
    }
    // Each of its own: taken.
    const own = { WORLD_FILE: "off", ADMIN_USER: "ops", ADMIN_PASSWORD: "a-password-of-its-own-42", METRICS_TOKEN: "metrics-token-of-its-own", BACKEND_TOKEN: "b".repeat(32), AUTH_SECRET: "s".repeat(32), ACTION_SECRET: "r".repeat(32) };
    assert.equal(loadConfig(own).metricsToken, "metrics-token-of-its-own");
  });
});

describe("Consumer groups of a deployment", () => {
  // Members of one group that read different topics are each handed partitions of the other's topic and drop them:
  // 8 of 12 questions timed out while /health said ok (two deployments that changed only their topics' names).
  it("refuses one group for the NPC workers and the chat indexers", () => {
    assert.throws(
      () => loadConfig({ KAFKA_WORKER_GROUP: "kobot", KAFKA_INDEXER_GROUP: "kobot" }),
      (error: Error) => error instanceof ConfigError && /KAFKA_WORKER_GROUP and KAFKA_INDEXER_GROUP: name the same consumer group \(kobot\); each needs its own/.test(error.message),
    );
    assert.throws(() => loadConfig({ KAFKA_INDEXER_GROUP: "kobot-npc-workers" }), /name the same consumer group \(kobot-npc-workers\)/, "the workers' default");
  });

  it("refuses it in a worker and an indexer too, each given the other's group or its default", () => {
    // Only the server's configuration read both: a worker in the indexers' group started, and took their partitions.
    const same = /name the same consumer group \(kobot-chat-indexer\)/;
    assert.throws(() => loadWorkerConfig({ KAFKA_WORKER_GROUP: "kobot-chat-indexer", WORLD_FILE: "off" }), same, "the indexers' default");
    assert.throws(() => loadIndexerConfig({ KAFKA_WORKER_GROUP: "kobot-chat-indexer" }), same);
    assert.throws(() => loadIndexerConfig({ KAFKA_INDEXER_GROUP: "kobot-npc-workers" }), /name the same consumer group \(kobot-npc-workers\)/, "the workers' default");
    assert.equal(loadWorkerConfig({ KAFKA_BROKERS: "k:9092", KAFKA_WORKER_GROUP: "w", WORLD_FILE: "off" }).kafka?.workerGroup, "w");
    assert.equal(loadIndexerConfig({ KAFKA_BROKERS: "k:9092", KAFKA_INDEXER_GROUP: "i" }).kafka?.indexerGroup, "i");
  });

  it("refuses a worker or indexer group named as a server's answer group (kobot-server-<SERVER_ID>), in every process that reads it", () => {
    const serverLike = /KAFKA_(WORKER|INDEXER)_GROUP="kobot-server-1": names beginning "kobot-server-" are the servers' answer groups/;
    assert.throws(() => loadConfig({ KAFKA_WORKER_GROUP: "kobot-server-1" }), serverLike);
    assert.throws(() => loadConfig({ KAFKA_INDEXER_GROUP: "kobot-server-1" }), serverLike);
    assert.throws(() => loadWorkerConfig({ KAFKA_WORKER_GROUP: "kobot-server-1", WORLD_FILE: "off" }), serverLike);
    assert.throws(() => loadIndexerConfig({ KAFKA_INDEXER_GROUP: "kobot-server-1" }), serverLike);
    assert.equal(loadConfig({ KAFKA_BROKERS: "k:9092", KAFKA_WORKER_GROUP: "staging-workers", KAFKA_INDEXER_GROUP: "staging-indexers" }).kafka?.workerGroup, "staging-workers");
  });
});

describe("Each process reads its own settings", () => {
  // The world server's settings, each bad or naming no file: a process that read them would stop on them.
  const notTheirs = { PORT: "http", ADMIN_USER: "ops", AUTH_PUBLIC_KEY_FILE: "/no/such/key.pem", REDIS_URL: "http://redis", CHAT_BURST: "0", SERVER_ID: "a b" };
  const noWorld = { ...notTheirs, WORLD_FILE: "/no/such/world.yaml", MODERATION_WORDS: "/no/such/words.txt", MODEL_DIR: "/no/such/model", NPC_ID: "Ko Bot" };

  it("the chat indexer and the redrive read no world, word list or account keys, and still refuse their own bad settings", () => {
    const indexer = loadIndexerConfig({ ...noWorld, KAFKA_BROKERS: "k:9092", ES_URL: "http://es:9200", CHAT_LOG_TOPIC: "log" });
    assert.deepEqual(indexer.kafka, { brokers: ["k:9092"], chatLog: { log: "log", dead: "chat.log.dead" }, indexerGroup: "kobot-chat-indexer", retentionMs: 168 * 3_600_000 });
    assert.deepEqual(indexer.elasticsearch, { url: "http://es:9200", indexPrefix: "kobot-chat" });
    assert.deepEqual(loadRedriveConfig({ ...noWorld, KAFKA_BROKERS: "k:9092" }).kafka?.chatLog, { log: "chat.log", dead: "chat.log.dead" });
    assert.throws(() => loadIndexerConfig({ ...noWorld, ES_URL: "localhost:9200" }), /^ConfigError: bad configuration:\n {2}ES_URL="localhost:9200": Invalid URL$/);
    assert.throws(() => loadIndexerConfig({ METRICS_TOKEN: "short" }), /METRICS_TOKEN=<5 characters, not shown>/);
    assert.throws(() => loadRedriveConfig({ ...noWorld, KAFKA_BROKERS: "localhost" }), /KAFKA_BROKERS="localhost": expected host:port/);
    assert.throws(() => loadRedriveConfig({ CHAT_DEAD_LETTER_TOPIC: "chat.log" }), /CHAT_LOG_TOPIC and CHAT_DEAD_LETTER_TOPIC: name the same topic/);
    assert.throws(() => loadIndexerConfig({ LOG_LEVEL: "loud" }), /LOG_LEVEL="loud"/);
  });

  it("an NPC worker reads the world (its NPCs' models and knowledge) and the word list, not the rooms', HTTP's or accounts' settings", () => {
    const worker = loadWorkerConfig({ ...notTheirs, KAFKA_BROKERS: "k:9092", NPC_TIMEOUT_MS: "5000", CHAT_LOG_TOPIC: "npc.question" });
    assert.deepEqual(worker.kafka, { brokers: ["k:9092"], topics: { question: "npc.question", answer: "npc.answer" }, workerGroup: "kobot-npc-workers", retentionMs: 168 * 3_600_000 });
    assert.deepEqual(worker.brains.map((brain) => brain.npcId), ["kobot", "hans", "mina"], "the village of worlds/village.yaml");
    assert.equal(worker.world.questionTimeoutMs, 5_000);
    assert.ok(worker.moderator, "knowledge lines are checked with the word list");
    assert.throws(() => loadWorkerConfig({ WORLD_FILE: "/no/such.yaml" }), /WORLD_FILE="\/no\/such\.yaml": bad world file/);
    assert.throws(() => loadWorkerConfig({ MODERATION_WORDS: "/no/such.txt" }), /MODERATION_WORDS="\/no\/such\.txt"/);
    assert.throws(() => loadWorkerConfig({ KAFKA_QUESTION_TOPIC: "same", KAFKA_ANSWER_TOPIC: "same" }), /name the same topic/);
  });

  it("an NPC worker keeps what its brain runs in a folder per group unless NPC_WORKER_STATE_DIR names one (off: none)", () => {
    const noWorld = { WORLD_FILE: "off" };
    assert.equal(loadWorkerConfig({ ...noWorld, KAFKA_WORKER_GROUP: "blue/workers" }).stateDir, join(tmpdir(), "kobot-npc-worker", "blue_workers"));
    assert.equal(loadWorkerConfig({ ...noWorld, NPC_WORKER_STATE_DIR: "/var/lib/kobot" }).stateDir, "/var/lib/kobot");
    assert.equal(loadWorkerConfig({ ...noWorld, NPC_WORKER_STATE_DIR: "off" }).stateDir, undefined);
    assert.throws(() => loadWorkerConfig({ ...noWorld, NPC_WORKER_STATE_DIR: '"/var/lib/kobot"' }), /NPC_WORKER_STATE_DIR=.*no spaces or quotes around it/);
  });
});

describe("README configuration table", () => {
  it("lists every environment variable the server reads", () => {
    const readme = readFileSync("README.md", "utf8");
    const missing = Object.keys(ENV_SCHEMA.shape).filter((name) => !readme.includes("`" + name + "`"));
    assert.deepEqual(missing, []);
  });
});
