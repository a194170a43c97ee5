// The chat: send a turn, render tokens as they arrive, stop it, resume it after a reload.

import { send, session } from "./api.js";
import { describeStreamError } from "./errors.js";
import { $, clear, h, say } from "./dom.js";
import { render } from "./markdown.js";
import { PendingAnswer } from "./resume.js";
import { readEvents } from "./sse.js";

const STREAM = "/api/v1/conversations/stream";
const SSE_HEADERS = { Accept: "text/event-stream" };
const state = { contextId: null, conversationId: null, pending: null, busy: false };
let hooks = { flows() {}, finished() {} };

function bubble(role, text) {
  const body = h("div", { class: "body" });
  const note = h("span", { class: "note" });
  const item = h("li", { class: `message ${role}`, "data-role": role },
    h("span", { class: "who" }, role === "user" ? "You" : "Assistant"), body, note);
  if (role === "user") body.textContent = text;
  else body.append(render(document, text));
  $("#messages").append(item);
  item.scrollIntoView({ block: "end" });
  return { item, body, note };
}

function paint(answer, text) {
  answer.body.replaceChildren(render(document, text));
}

// Repaint at most once a frame: a token per event would otherwise rebuild the DOM per token.
function schedulePaint(answer, pending) {
  if (answer.frame) return;
  answer.frame = requestAnimationFrame(() => {
    answer.frame = 0;
    paint(answer, pending.text);
  });
}

function mark(answer, outcome, note) {
  if (answer.frame) cancelAnimationFrame(answer.frame);
  answer.frame = 0;
  answer.item.dataset.state = outcome;
  answer.note.textContent = note;
}

function setBusy(busy) {
  state.busy = busy;
  $("#send").disabled = busy;
  $("#stop").disabled = !busy;
  $("#messages").setAttribute("aria-busy", String(busy));
}

function ended(pending, answer, outcome, note) {
  paint(answer, pending.text);
  mark(answer, outcome, note);
  pending.finish();
  state.pending = null;
  setBusy(false);
  hooks.finished(state.conversationId);
}

// One event of the stream; true when it ended the answer.
function handle(event, pending, answer) {
  if (event.type === "message") {
    answer.item.dataset.state = "streaming";
    schedulePaint(answer, pending);
  } else if (event.type === "metadata") {
    const data = JSON.parse(event.data);
    hooks.flows(data.flows ?? [], data.changes ?? []);
  } else if (event.type === "done") {
    const done = JSON.parse(event.data);
    state.conversationId = done.conversation_id;
    const stopped = done.finish_reason === "cancelled";
    ended(pending, answer, stopped ? "stopped" : "complete", stopped ? "Stopped" : "");
    return true;
  } else if (event.type === "error") {
    say($("#chat-status"), describeStreamError(event.data));
    ended(pending, answer, "failed", "Failed");
    return true;
  }
  return false;
}

async function follow(response, pending, answer) {
  let finished = false;
  try {
    await readEvents(response, (event) => {
      if (!finished && pending.apply(event)) finished = handle(event, pending, answer);
    });
  } catch {
    // The connection broke: the answer goes on server-side, and a resume picks it up.
  }
  if (!finished) await resume(pending, answer);
}

const MAX_RESUMES = 3;

async function resume(pending, answer) {
  answer.resumes = (answer.resumes ?? 0) + 1;
  if (answer.resumes > MAX_RESUMES) {
    say($("#chat-status"), "The connection keeps breaking; reopen the conversation later.");
    ended(pending, answer, "failed", "Interrupted");
    return;
  }
  let response;
  try {
    response = await send("GET", `/api/v1/conversations/streams/${pending.streamId}`, {
      headers: { ...SSE_HEADERS, "Last-Event-ID": String(pending.lastEventId) },
    });
  } catch (error) {
    say($("#chat-status"), error.status === 404
      ? "This answer can no longer be resumed; reopen its conversation to read it."
      : error.message);
    ended(pending, answer, "failed", "Interrupted");
    return;
  }
  await follow(response, pending, answer);
}

async function sendTurn(text) {
  say($("#chat-status"), "");
  const body = { context_id: state.contextId, messages: [{ role: "user", content: text }] };
  if (state.conversationId) body.conversation_id = state.conversationId;
  const asked = bubble("user", text);
  const answer = bubble("assistant", "");
  answer.item.dataset.state = "waiting";
  setBusy(true);
  let response;
  try {
    response = await send("POST", STREAM, { body, headers: SSE_HEADERS });
  } catch (error) {
    asked.item.remove();
    answer.item.remove();
    $("#composer-input").value = text; // nothing was sent: keep it for another try
    say($("#chat-status"), error.message);
    setBusy(false);
    return;
  }
  const pending = PendingAnswer.start(sessionStorage, {
    streamId: response.headers.get("X-Stream-Id"), contextId: state.contextId,
    conversationId: state.conversationId, question: text, user: session.user,
  });
  state.pending = pending;
  await follow(response, pending, answer);
}

async function stop() {
  if (!state.pending) return;
  $("#stop").disabled = true;
  try {
    await send("POST", `/api/v1/conversations/streams/${state.pending.streamId}/cancel`);
  } catch (error) {
    say($("#chat-status"), error.message);
  }
}

// Show a conversation (or an empty chat) of a context; messages as stored.
export function openConversation(contextId, conversation) {
  state.contextId = contextId;
  state.conversationId = conversation?.id ?? null;
  clear($("#messages"));
  say($("#chat-status"), "");
  for (const message of conversation?.messages ?? []) bubble(message.role, message.content);
  $("#composer").hidden = !contextId;
}

// Pick up the answer this tab was streaming before a reload (the caller opened its chat).
export async function continuePending(pending) {
  state.pending = pending;
  bubble("user", pending.state.question);
  const answer = bubble("assistant", pending.text);
  answer.item.dataset.state = "streaming";
  setBusy(true);
  await resume(pending, answer);
}

export function isBusy() {
  return state.busy;
}

export function initChat(callbacks) {
  hooks = callbacks;
  const input = $("#composer-input");
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || state.busy || !state.contextId) return;
    input.value = "";
    sendTurn(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("#composer").requestSubmit();
    }
  });
  $("#stop").addEventListener("click", stop);
}
