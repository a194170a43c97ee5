// The flows panel: the context's flows as the API lists them; new ones highlighted.

import { json } from "./api.js";
import { $, h, say } from "./dom.js";

const HIGHLIGHT_MS = 8000;
let contextId = null;
let highlighted = new Set();

function status(text) {
  say($("#flows-status"), text);
}

function dueText(flow) {
  if (!flow.due_date) return "";
  return `due ${new Date(flow.due_date).toLocaleDateString(undefined, { timeZone: "UTC" })}`;
}

async function act(work) {
  try {
    await work();
    status("");
  } catch (error) {
    status(error.message);
  }
  await showFlows(contextId);
}

function editor(flow, item) {
  const id = `flow-${flow.id}`;
  const priority = h("select", { id: `${id}-priority` },
    ...["low", "medium", "high"].map((p) => h("option", { value: p, selected: p === flow.priority }, p)));
  const title = h("input", { id: `${id}-title`, value: flow.title, required: true, maxlength: 200 });
  const due = h("input", { id: `${id}-due`, type: "date", value: flow.due_date?.slice(0, 10) ?? "" });
  const form = h("form", { class: "flow-edit", "aria-label": `Edit ${flow.title}` },
    h("label", { for: title.id }, "Title"), title,
    h("label", { for: due.id }, "Due date"), due,
    h("label", { for: priority.id }, "Priority"), priority,
    h("div", { class: "row" },
      h("button", { type: "submit" }, "Save"),
      h("button", { type: "button", onclick: () => showFlows(contextId) }, "Cancel")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = {
      title: title.value.trim(), priority: priority.value,
      due_date: due.value ? `${due.value}T00:00:00Z` : null,
    };
    act(() => json("PATCH", `/api/v1/flows/${flow.id}`, changes));
  });
  item.replaceChildren(form);
  title.focus();
}

function flowItem(flow) {
  const box = h("input", { type: "checkbox", id: `flow-${flow.id}-done`, checked: flow.is_completed });
  box.addEventListener("change", () =>
    act(() => json("PATCH", `/api/v1/flows/${flow.id}`, { is_completed: box.checked })));
  const meta = [flow.priority, dueText(flow)].filter(Boolean).join(" · ");
  const item = h("li", {
    class: ["flow", flow.is_completed && "done", highlighted.has(flow.id) && "new"]
      .filter(Boolean).join(" "),
    "data-flow-id": flow.id,
  },
  box,
  h("label", { for: box.id, class: "title" }, flow.title),
  h("span", { class: "meta" }, meta),
  h("div", { class: "row" },
    h("button", { type: "button", "aria-label": `Edit ${flow.title}`, onclick: () => editor(flow, item) }, "Edit"),
    h("button", {
      type: "button", class: "danger", "aria-label": `Delete ${flow.title}`,
      onclick: () => act(() => json("DELETE", `/api/v1/flows/${flow.id}`)),
    }, "Delete")));
  return item;
}

// What a chat turn changed on its own, in words: "Marked done: Book a flight".
function changeText(change) {
  const title = change.before.title;
  switch (change.op) {
    case "complete": return `Marked done: ${title}`;
    case "cancel": return `Removed: ${title}`;
    case "reschedule": return `Moved: ${title} (${dueText(change.after) || "no due date"})`;
    case "reprioritise": return `Priority ${change.after.priority}: ${title}`;
    case "refine": return `Renamed: ${title} → ${change.after.title}`;
    default: return `Changed: ${title}`;
  }
}

function changeItem(change) {
  const note = h("span", { class: "text" }, changeText(change));
  const undo = h("button", { type: "button", "aria-label": `Undo: ${changeText(change)}` }, "Undo");
  const item = h("li", { class: "flow-change", "data-change-id": change.id }, note, " · ", undo);
  undo.addEventListener("click", () => act(async () => {
    await json("POST", `/api/v1/flow-changes/${change.id}/undo`);
    undo.replaceWith(h("span", { class: "meta" }, "Undone"));
  }));
  return item;
}

// List the context's flows; `fresh` are flows just extracted, shown highlighted a while;
// `changes` are what the turn changed on open flows, each with Undo.
export async function showFlows(id, fresh = [], changes = null) {
  const list = $("#flow-list");
  if (changes !== null || id !== contextId) {
    $("#flow-changes").replaceChildren(...(changes ?? []).map(changeItem));
  }
  contextId = id;
  if (!id) {
    list.replaceChildren();
    return;
  }
  if (fresh.length) {
    highlighted = new Set(fresh.map((flow) => flow.id));
    setTimeout(() => {
      highlighted = new Set();
      for (const el of list.querySelectorAll(".flow.new")) el.classList.remove("new");
    }, HIGHLIGHT_MS);
  }
  try {
    const page = await json("GET", `/api/v1/contexts/${id}/flows?limit=200`);
    if (id !== contextId) return; // another context was picked meanwhile
    list.replaceChildren(...page.items.map(flowItem));
    $("#flows-empty").hidden = page.items.length > 0;
    if (fresh.length) status(`${fresh.length} new flow${fresh.length === 1 ? "" : "s"} from this chat.`);
  } catch (error) {
    status(error.message);
  }
}
