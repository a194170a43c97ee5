// The AI SDK's WebSocketChatTransport (with the `ws` package) on the chat socket: a turn,
// then a second transport (a reload) resuming a running turn, then `no-active`.
import { WebSocketChatTransport, readUIMessageStream } from "ai";
import WebSocket from "ws";
import { ARGS, AUTH, BASE, CONTEXT, report, userMessage, within } from "./harness.mjs";

within(30_000, `ws ${ARGS.mode}`);
const url = `${BASE.replace(/^http/, "ws")}/api/v1/chat/socket`;
const options = {
  url,
  webSocket: WebSocket,
  headers: { authorization: AUTH.Authorization },
  body: { context_id: CONTEXT },
};
const chatId = ARGS.chatId;

async function readAll(stream, onMessage) {
  let last;
  for await (const message of readUIMessageStream({ stream })) {
    last = message;
    if (onMessage) await onMessage(message);
  }
  const parts = last?.parts ?? [];
  return {
    text: parts.filter((p) => p.type === "text").map((p) => p.text).join(""),
    flows: parts.filter((p) => p.type === "data-flows").map((p) => p.data),
    metadata: last?.metadata,
  };
}

const send = (transport, abortSignal) =>
  transport.sendMessages({
    chatId,
    messages: [userMessage("u1", ARGS.text ?? "I need to book a flight and call the client")],
    trigger: "submit-message",
    messageId: undefined,
    abortSignal,
  });

const first = new WebSocketChatTransport(options);
if (ARGS.mode === "send") {
  const result = await readAll(await send(first));
  const again = await readAll(await send(first)); // a second turn on the same socket
  const after = await first.reconnectToStream({ chatId });
  report({ result, again, resumeAfterEnd: after === null ? null : "stream" });
  first.close();
} else if (ARGS.mode === "resume") {
  let before = "";
  const reading = readAll(await send(first), (m) => {
    before = m.parts.filter((p) => p.type === "text").map((p) => p.text).join("");
  });
  while (before.length < 6) await new Promise((r) => setTimeout(r, 20));
  first.close(); // a reload: the socket goes away mid-answer
  await reading.catch(() => undefined);
  const second = new WebSocketChatTransport(options);
  const stream = await second.reconnectToStream({ chatId });
  const resumed = stream === null ? null : await readAll(stream);
  report({ before, resumed });
  second.close();
} else if (ARGS.mode === "abort") {
  const controller = new AbortController();
  let seen = "";
  await readAll(await send(first, controller.signal), (m) => {
    seen = m.parts.filter((p) => p.type === "text").map((p) => p.text).join("");
    if (seen.length > 0) controller.abort();
  }).catch(() => undefined);
  report({ seen });
  first.close();
}
