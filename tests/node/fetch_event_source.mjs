// @microsoft/fetch-event-source reads a stream: with the JSON framing it gets the exact
// text; with the raw framing it loses empty `data:` lines (the reason the framing exists).
import { fetchEventSource } from "@microsoft/fetch-event-source";
import { ARGS, AUTH, BASE, CONTEXT, report, within } from "./harness.mjs";

within(30_000, "fetch-event-source");
// The library is written for browsers: it calls window.setTimeout and (un)registers a
// visibilitychange listener on document even with openWhenHidden.
globalThis.window ??= globalThis;
globalThis.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };

async function read(framing) {
  const tokens = [];
  const names = [];
  const query = framing ? `?framing=${framing}` : "";
  await fetchEventSource(`${BASE}/api/v1/conversations/stream${query}`, {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ context_id: CONTEXT, messages: [{ role: "user", content: ARGS.text }] }),
    openWhenHidden: true,
    onmessage(event) {
      // This library dispatches a message for every blank line, a `: ping` comment's and
      // the `retry:` hint's too: with the JSON framing an empty `data` is never a token.
      if (event.data === "") return;
      names.push(event.event || "message");
      if (!event.event) tokens.push(framing === "json" ? JSON.parse(event.data).text : event.data);
    },
    onerror(error) {
      throw error; // no retries: one stream each
    },
  });
  return { text: tokens.join(""), names: [...new Set(names)] };
}

report({ json: await read("json"), raw: await read(null) });
