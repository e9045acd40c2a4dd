import { strict as assert } from "node:assert";
import { errorLine } from "../common/error-line.js";

describe("errorLine", () => {
  it("gives a message and each cause that adds to it, on one line", () => {
    const refused = new Error("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
    const error = new Error("broker down\nafter 5 tries", { cause: new Error(refused.message, { cause: refused }) });
    assert.equal(errorLine(error), "broker down after 5 tries: Connection error: connect ECONNREFUSED 127.0.0.1:9092");
  });

  it("speaks for an AggregateError with no message of its own by its errors", () => {
    // What Node's connect gives for localhost when both ::1 and 127.0.0.1 refuse.
    const refused = new AggregateError([
      new Error("connect ECONNREFUSED ::1:9200"),
      new Error("connect ECONNREFUSED 127.0.0.1:9200"),
    ]);
    assert.equal(
      errorLine(new Error("no Elasticsearch", { cause: refused })),
      "no Elasticsearch: connect ECONNREFUSED ::1:9200; connect ECONNREFUSED 127.0.0.1:9200",
    );
  });

  it("keeps an AggregateError's own message when it has one, and names an error without any", () => {
    assert.equal(errorLine(new AggregateError([new Error("a")], "two tries failed")), "two tries failed");
    assert.equal(errorLine(new TypeError()), "TypeError");
    assert.equal(errorLine(new TypeError("x is not a function")), "TypeError: x is not a function", "a bug says its kind");
    assert.equal(errorLine("plain words"), "plain words");
  });
});
