import assert from "node:assert/strict";

import { CHAT_MAPPINGS } from "../chatlog/index-template.js";
import { ChatLogRecord, NpcAnswerInfo, ReportInfo } from "../kafka/chat-log.js";

/** The chat index is strict (chatlog/index-template.ts): a record with a field it does not map is refused whole. */
describe("the chat index's mappings", () => {
  it("map every field a chat-log record may carry, nested ones too", () => {
    const { properties } = CHAT_MAPPINGS;
    const topLevel = Object.keys(ChatLogRecord.shape).filter((field) => field !== "v" && field !== "ts"); // ts is @timestamp
    assert.deepEqual(topLevel.filter((field) => !(field in properties)), []);
    assert.deepEqual(Object.keys(NpcAnswerInfo.shape).filter((field) => !(field in properties.npc.properties)), []);
    assert.deepEqual(Object.keys(ReportInfo.shape).filter((field) => !(field in properties.report.properties)), []);
  });
});
