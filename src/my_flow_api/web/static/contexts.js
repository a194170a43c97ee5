// Contexts (list, create, switch) and each context's conversations (list, reopen).

import { json } from "./api.js";
import { openConversation } from "./chat.js";
import { $, h, say } from "./dom.js";
import { showFlows } from "./flows.js";

let current = null;
let contexts = [];

function status(text) {
  say($("#sidebar-status"), text);
}

function contextButton(context) {
  const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
  swatch.style.backgroundColor = context.color;
  return h("li", {},
    h("button", {
      type: "button", class: "context", "data-context-id": context.id,
      "aria-current": context.id === current ? "true" : false,
      onclick: () => selectContext(context.id),
    }, swatch, h("span", { class: "icon", "aria-hidden": "true" }, context.icon), context.name));
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

function conversationButton(summary) {
  return h("li", {},
    h("button", {
      type: "button", class: "conversation", "data-conversation-id": summary.id,
      onclick: () => reopen(summary.id),
    }, `${when(summary.created_at)} · ${summary.status}`));
}

export async function showConversations() {
  const list = $("#conversation-list");
  if (!current) {
    list.replaceChildren();
    return;
  }
  try {
    const page = await json("GET", `/api/v1/contexts/${current}/conversations?limit=50`);
    list.replaceChildren(...page.items.map(conversationButton));
  } catch (error) {
    status(error.message);
  }
}

export async function reopen(conversationId) {
  try {
    const conversation = await json("GET", `/api/v1/conversations/${conversationId}`);
    openConversation(current, conversation);
    $("#composer-input").focus();
  } catch (error) {
    status(error.message);
  }
}

export async function showContexts() {
  try {
    const page = await json("GET", "/api/v1/contexts?limit=200");
    contexts = page.items;
  } catch (error) {
    status(error.message);
    return;
  }
  $("#context-list").replaceChildren(...contexts.map(contextButton));
  $("#contexts-empty").hidden = contexts.length > 0;
}

export async function selectContext(id, { conversation = null } = {}) {
  current = id;
  const context = contexts.find((c) => c.id === id);
  $("#chat-title").textContent = context ? `${context.icon} ${context.name}` : "Chat";
  await showContexts();
  openConversation(id, conversation);
  await Promise.all([showConversations(), showFlows(id)]);
}

export function currentContext() {
  return current;
}

export function initContexts() {
  $("#context-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      name: $("#context-name").value.trim(),
      color: $("#context-color").value,
      icon: $("#context-icon").value.trim() || "📁",
    };
    try {
      const created = await json("POST", "/api/v1/contexts", body);
      event.target.reset();
      $("#new-context").open = false;
      status(`Context ${created.name} created.`);
      await showContexts();
      await selectContext(created.id);
      $("#composer-input").focus();
    } catch (error) {
      status(error.message);
    }
  });
  $("#new-conversation").addEventListener("click", () => {
    openConversation(current, null);
    $("#composer-input").focus();
  });
}
