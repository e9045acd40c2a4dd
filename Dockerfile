# One image for every Node process of the project: server, NPC worker, chat indexer.
# docker compose picks the process with `command:`.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
# The `node` package is Node 22 for machines that lack it (this image has it), and onnxruntime-node ships every
# platform's libraries: 340 MB the image never runs. TypeScript comes in only as an optional peer of @colyseus/schema
# for its code generator (23 MB; tsx runs the code without it; test/ops.dependency-parity.test.ts).
# sharp is libvips (LGPL-3.0, 19 MB) for images, which the brain never reads: a stand-in takes its place (npc/no-sharp),
# so the image hands no LGPL library to whoever it is given to.
RUN npm ci --no-audit --no-fund && npm cache clean --force \
    && rm -rf node_modules/node node_modules/.bin/node node_modules/typescript \
       node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32 \
       node_modules/sharp node_modules/@img
COPY npc/no-sharp ./node_modules/sharp
COPY common ./common
COPY kafka ./kafka
COPY rooms ./rooms
COPY server ./server
COPY chatlog ./chatlog
COPY moderation ./moderation
COPY npc/*.ts ./npc/
COPY npc/engine ./npc/engine
COPY npc/worker ./npc/worker
COPY npc/model ./npc/model
COPY npc/knowledge ./npc/knowledge
COPY worlds ./worlds
COPY examples ./examples
COPY web-client ./web-client
COPY tsconfig.json LICENSE THIRD_PARTY_NOTICES.md ./
# The browser client served at / (npm start builds it too).
RUN npx tsx web-client/build.ts
# DATA_DIR's default, written as node: without Redis the server keeps mutes, bans, reports and whom NPCs met there
# (root's /app, the server refused to start).
RUN mkdir data && chown node:node data
USER node
EXPOSE 2567
# Node itself, with tsx as its loader: not npx or npm, which run it through `sh -c`, which does not pass SIGTERM on
# (docker stop would end in SIGKILL: no answers in flight, no clients told, no worker commit); nor the tsx command,
# which runs Node as a child and relays signals: it sent one twice at times, and it kills a child that has not said
# within 30 ms that it got one.
CMD ["node", "--import", "tsx", "server/main.ts"]
