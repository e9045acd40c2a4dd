import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { CHAT_INDEX_PREFIX, CHAT_MAPPINGS } from "../chatlog/index-template.js";

interface Agg {
  id: string;
  type: string;
  schema: string;
  params: Record<string, any>;
}

interface RuntimeField {
  type: string;
  script: { source: string };
}

/** The fields a Painless script reads, in the order it reads them first. */
function docFields(source: string): string[] {
  return [...new Set([...source.matchAll(/doc\['([^']+)'\]/g)].map(([, field]) => field!))];
}

interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, any>;
  references: Array<{ name: string; type: string; id: string }>;
}

/** Every field the index template defines, with multi-fields (`text.keyword`). */
function mappedFields(properties: Record<string, any>, prefix = ""): Set<string> {
  const fields = new Set<string>();
  for (const [name, spec] of Object.entries(properties)) {
    const path = prefix + name;
    if (spec.properties) for (const inner of mappedFields(spec.properties, path + ".")) fields.add(inner);
    else fields.add(path);
    for (const sub of Object.keys(spec.fields ?? {})) fields.add(`${path}.${sub}`);
  }
  return fields;
}

describe("Kibana saved objects (ops/kibana/saved-objects.ndjson)", () => {
  const objects: SavedObject[] = readFileSync("ops/kibana/saved-objects.ndjson", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const view = objects.find((o) => o.type === "index-pattern")!;
  const runtimeFields: Record<string, RuntimeField> = JSON.parse(view.attributes.runtimeFieldMap ?? "{}");
  const mapped = mappedFields(CHAT_MAPPINGS.properties);
  const fields = new Set([...mapped, ...Object.keys(runtimeFields)]);
  const visState = (id: string): { aggs: Agg[] } => JSON.parse(objects.find((o) => o.id === id)!.attributes.visState);

  it("holds a data view on the chat indices, seven visualizations and a dashboard of them", () => {
    assert.equal(view.attributes.title, `${CHAT_INDEX_PREFIX}*`);
    assert.ok(fields.has(view.attributes.timeFieldName));
    assert.equal(objects.filter((o) => o.type === "visualization").length, 7);
    const dashboard = objects.find((o) => o.type === "dashboard")!;
    assert.equal(JSON.parse(dashboard.attributes.panelsJSON).length, 7);
  });

  it("refers only to objects in the file", () => {
    const ids = new Set(objects.map((o) => `${o.type}:${o.id}`));
    for (const object of objects) {
      for (const ref of object.references) assert.ok(ids.has(`${ref.type}:${ref.id}`), `${object.id} → ${ref.type}:${ref.id}`);
    }
  });

  it("aggregates and filters only on fields the index template or the data view's runtime fields define", () => {
    for (const [name, { script }] of Object.entries(runtimeFields)) {
      for (const field of docFields(script.source)) assert.ok(mapped.has(field), `${name} reads unknown field ${field}`);
    }
    for (const object of objects.filter((o) => o.type === "visualization")) {
      const state = JSON.parse(object.attributes.visState);
      for (const agg of state.aggs) {
        if (agg.params.field) assert.ok(fields.has(agg.params.field), `${object.id}: unknown field ${agg.params.field}`);
      }
      const search = JSON.parse(object.attributes.kibanaSavedObjectMeta.searchSourceJSON);
      for (const [, field] of (search.query.query as string).matchAll(/([\w.@]+):/g)) {
        assert.ok(fields.has(field!), `${object.id}: query on unknown field ${field}`);
      }
    }
  });

  it("counts the players reported most as the analytics job does: by account (else session), ordered by how many players reported them", () => {
    // Before: bucketed by report.name and counted documents, so one player's three reports counted 3 and two
    // accounts of one display name were one row (analytics/kobot_analytics/figures.py: mostReported).
    const { aggs } = visState("kobot-most-reported");
    const player = aggs.find((agg) => agg.schema === "bucket")!;
    assert.deepEqual(aggs.filter((agg) => agg.schema === "bucket"), [player], "one row a player");
    assert.equal(player.type, "terms");
    assert.equal(runtimeFields[player.params.field]?.type, "keyword", `${player.params.field} is a runtime field`);
    assert.deepEqual(docFields(runtimeFields[player.params.field]!.script.source), ["report.account", "report.player"]);
    const order = aggs.find((agg) => agg.id === player.params.orderBy)!;
    assert.equal(player.params.order, "desc");
    assert.equal(order.type, "cardinality", "ordered by distinct reporters, not by reports");
    assert.deepEqual(docFields(runtimeFields[order.params.field]!.script.source), ["account", "from"]);
    assert.ok(aggs.some((agg) => agg.type === "count" && agg.schema === "metric"), "the reports beside them");
    // The name as a column of the player's row (their latest), not a bucket that splits or merges players.
    const name = aggs.find((agg) => agg.params.field === "report.name")!;
    assert.deepEqual([name.type, name.schema, name.params.size, name.params.sortField, name.params.sortOrder], ["top_hits", "metric", 1, "@timestamp", "desc"]);
  });

  it("counts top questions as the analytics report does: each player's question line once, leaving out refused, private and toxic ones", () => {
    // Before: it counted answer records (kind:npc) by npc.question, so a timeout's fallback and the answer after it
    // counted a question twice, and moderation's refusals and private talk were among the top questions.
    const { aggs } = visState("kobot-top-questions");
    const bucket = aggs.find((agg) => agg.schema === "bucket")!;
    assert.deepEqual([bucket.type, bucket.params.field], ["terms", "text.keyword"]);
    assert.equal(aggs.find((agg) => agg.id === bucket.params.orderBy)?.type, "count");
    const object = objects.find((o) => o.id === "kobot-top-questions")!;
    const query: string = JSON.parse(object.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query;
    // The report's rule (records.py unfit_line), its toxicity threshold included.
    const toxic = readFileSync("analytics/kobot_analytics/records.py", "utf8").match(/^TOXIC = ([\d.]+)/m)![1];
    assert.deepEqual(query.split(" and ").sort(), ["kind:player", "not moderated:true", "not private:true", `not toxicity >= ${toxic}`, "toNpc:*"]);
  });

  it("buckets the line panels by minute with Kibana's own interval parameter, the question count scaled per minute", () => {
    // Kibana reads `interval` (default auto) and drops an ES `fixed_interval`: over 24 h the buckets were ~30 min.
    const histograms = objects.filter((o) => o.type === "visualization").flatMap((o) =>
      visState(o.id).aggs.filter((agg) => agg.type === "date_histogram").map((agg) => ({ id: o.id, params: agg.params })),
    );
    assert.deepEqual(histograms.map(({ id }) => id).sort(), ["kobot-answer-latency", "kobot-questions-per-minute"]);
    for (const { id, params } of histograms) {
      assert.equal(params.interval, "m", id);
      for (const key of ["fixed_interval", "calendar_interval"]) assert.equal(params[key], undefined, `${id}: ${key} is not Kibana's`);
    }
    // Past histogram:maxBars Kibana widens the buckets; scaled, a count still reads per minute.
    assert.equal(histograms.find(({ id }) => id === "kobot-questions-per-minute")!.params.scaleMetricValues, true);
    assert.deepEqual(visState("kobot-questions-per-minute").aggs.filter((agg) => agg.schema === "metric").map((agg) => agg.type), ["count"]);
  });
});
