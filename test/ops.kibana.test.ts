import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { CHAT_INDEX_PREFIX, CHAT_MAPPINGS } from "../chatlog/index-template.js";

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
  const fields = mappedFields(CHAT_MAPPINGS.properties);

  it("holds a data view on the chat indices, seven visualizations and a dashboard of them", () => {
    const view = objects.find((o) => o.type === "index-pattern")!;
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

  it("aggregates and filters only on fields the index template defines", () => {
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
});
