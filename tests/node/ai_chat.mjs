// The AI SDK's DefaultChatTransport (what useChat uses) against the service: a turn, a
// stop through the stop endpoint, a reload that resumes, and the 204 once nothing runs.
import { DefaultChatTransport, readUIMessageStream } from "ai";
import { ARGS, AUTH, BASE, CONTEXT, report, userMessage, within } from "./harness.mjs";

within(30_000, `ai ${ARGS.mode}`);
const api = `${BASE}/api/v1/contexts/${CONTEXT}/chat`;
const transport = new DefaultChatTransport({ api, headers: AUTH });
const chatId = ARGS.chatId;
const messages = [userMessage("u1", ARGS.text ?? "I need to book a flight and call the client")];

function summary(message) {
  const parts = message?.parts ?? [];
  return {
    id: message?.id,
    text: parts.filter((p) => p.type === "text").map((p) => p.text).join(""),
    textParts: parts.filter((p) => p.type === "text").length,
    flows: parts.filter((p) => p.type === "data-flows").map((p) => p.data),
    metadata: message?.metadata,
  };
}

async function readAll(stream, onMessage) {
  let last;
  for await (const message of readUIMessageStream({ stream })) {
    last = message;
    if (onMessage) await onMessage(message);
  }
  return summary(last);
}

async function send(abortSignal) {
  return transport.sendMessages({
    chatId, messages, trigger: "submit-message", messageId: undefined, abortSignal,
  });
}

if (ARGS.mode === "send") {
  const first = await readAll(await send());
  const after = await transport.reconnectToStream({ chatId });
  report({ first, resumeAfterEnd: after === null ? null : "stream" });
} else if (ARGS.mode === "stop") {
  let stopped = null;
  const result = await readAll(await send(), async (message) => {
    if (stopped === null && summary(message).text.length > 0) {
      const response = await fetch(`${api}/${chatId}/stop`, { method: "POST", headers: AUTH });
      stopped = { status: response.status, body: await response.json() };
    }
  });
  report({ result, stopped });
} else if (ARGS.mode === "resume") {
  // A reload: the first request is dropped after some text, then useChat's resume.
  const controller = new AbortController();
  let before = "";
  try {
    await readAll(await send(controller.signal), (message) => {
      before = summary(message).text;
      if (before.length >= 6) controller.abort();
    });
  } catch (error) {
    if (error?.name !== "AbortError") throw error;
  }
  const stream = await transport.reconnectToStream({ chatId });
  const resumed = stream === null ? null : await readAll(stream);
  const afterEnd = await transport.reconnectToStream({ chatId });
  report({ before, resumed, resumeAfterEnd: afterEnd === null ? null : "stream" });
} else {
  throw new Error(`unknown mode ${ARGS.mode}`);
}
