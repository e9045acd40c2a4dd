import type { ChatLogPublisher } from "./chat-log-transport.js";

/** The chat log when nothing stores it (embedded default without Elasticsearch): lines live in room state only. */
export const discardChatLog: ChatLogPublisher = {
  publish: () => {},
  flush: async () => {},
  stop: async () => {},
};
