// The page's entry point: sign-in, then contexts, chat and flows.

import { json, session, whenExpired } from "./api.js";
import { continuePending, initChat } from "./chat.js";
import {
  currentContext, initContexts, selectContext, showContexts, showConversations,
} from "./contexts.js";
import { $, say } from "./dom.js";
import { showFlows } from "./flows.js";
import { callbackOf, finishSignIn, startSignIn } from "./pkce.js";
import { PendingAnswer } from "./resume.js";

let config = { auth: "local" };

function showSignIn(message = "") {
  $("#app-view").hidden = true;
  $("#sign-out").hidden = true;
  $("#who").textContent = "";
  $("#signin-view").hidden = false;
  const local = config.auth === "local";
  const pkce = !local && Boolean(config.logto_app_id);
  $("#local-signin").hidden = !local;
  $("#logto-signin").hidden = !pkce;
  $("#token-signin").hidden = local;
  say($("#signin-status"), message);
  (local ? $("#signin-name") : pkce ? $("#logto-button") : $("#signin-token")).focus();
}

// The `sub` of a pasted JWT, to greet its owner; the API verifies the token itself.
function subjectOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub || "you";
  } catch {
    return "you";
  }
}

async function showApp() {
  $("#signin-view").hidden = true;
  $("#app-view").hidden = false;
  $("#sign-out").hidden = false;
  $("#who").textContent = `Signed in as ${session.user}`;
  await showContexts();
  const pending = PendingAnswer.load(sessionStorage);
  if (pending && pending.state.user === session.user) {
    if (pending.state.conversationId) await openUpTo(pending);
    else await selectContext(pending.state.contextId);
    await continuePending(pending);
  } else {
    pending?.finish();
    const first = document.querySelector("#context-list .context");
    if (first) await selectContext(first.dataset.contextId);
  }
}

// A continued conversation: show what was stored before the question being answered.
async function openUpTo(pending) {
  const { conversationId, contextId, question } = pending.state;
  const conversation = await json("GET", `/api/v1/conversations/${conversationId}`);
  const asked = conversation.messages.map((m) => m.role === "user" && m.content).lastIndexOf(question);
  if (asked >= 0) conversation.messages = conversation.messages.slice(0, asked);
  await selectContext(contextId, { conversation });
}

function initSignIn() {
  const name = $("#signin-name");
  name.addEventListener("input", () => {
    $("#signin-submit").textContent = name.value.trim() ? `Continue as ${name.value.trim()}` : "Continue";
  });
  $("#local-signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const minted = await json("POST", "/api/v1/auth/local-token", { name: name.value.trim() });
      session.save(minted.access_token, minted.user_id);
      await showApp();
    } catch (error) {
      say($("#signin-status"), error.message);
    }
  });
  $("#token-signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("#signin-token").value.trim();
    session.save(token, subjectOf(token));
    $("#signin-token").value = "";
    await showApp();
  });
  $("#logto-button").addEventListener("click", () =>
    startSignIn(config, sessionStorage, window.location));
  $("#sign-out").addEventListener("click", () => {
    session.clear();
    showSignIn("You are signed out.");
  });
}

// Back from Logto with a one-time code: take it off the address bar, trade it for a token.
async function returnFromLogto() {
  const callback = callbackOf(window.location.search);
  if (!callback || config.auth !== "logto") return "";
  window.history.replaceState(null, "", "/");
  try {
    const token = await finishSignIn(config, callback, sessionStorage, window.location);
    session.save(token, subjectOf(token));
    return "";
  } catch (error) {
    return error.message;
  }
}

async function boot() {
  try {
    config = await json("GET", "/page/config");
  } catch {
    config = { auth: "local" };
  }
  const problem = await returnFromLogto();
  whenExpired((sentence) => {
    session.clear();
    showSignIn(sentence);
  });
  initSignIn();
  initContexts();
  initChat({
    flows: (flows, changes) => showFlows(currentContext(), flows, changes),
    finished: () => showConversations(),
  });
  if (session.token) await showApp();
  else showSignIn(problem);
  document.body.dataset.ready = "true";
}

boot();
