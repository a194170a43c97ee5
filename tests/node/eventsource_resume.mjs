// The `eventsource` package (WHATWG EventSource for Node) resumes an abandoned stream
// from Last-Event-ID, and stops for good once the server answers 204 after `done`.
import { EventSource } from "eventsource";
import { ARGS, AUTH, BASE, report, sleep, within } from "./harness.mjs";

within(30_000, "eventsource");
const requests = [];
const url = `${BASE}/api/v1/conversations/streams/${ARGS.streamId}?last_event_id=${ARGS.lastEventId}`;
const source = new EventSource(url, {
  fetch: async (input, init) => {
    const response = await fetch(input, { ...init, headers: { ...init.headers, ...AUTH } });
    requests.push({ status: response.status, lastEventId: init.headers?.["Last-Event-ID"] ?? null });
    return response;
  },
});
const events = [];
const errors = [];
source.onmessage = (event) => events.push({ type: "message", id: event.lastEventId, data: event.data });
// (`error` events are also how EventSource reports a connection error, so the service's
// `event: error` would need its own check; these turns end with `done`.)
for (const name of ["metadata", "done"]) {
  source.addEventListener(name, (event) => events.push({ type: name, id: event.lastEventId }));
}
source.onerror = (event) => errors.push({ code: event.code ?? null, readyState: source.readyState });

const deadline = Date.now() + 20_000;
while (source.readyState !== EventSource.CLOSED && Date.now() < deadline) await sleep(50);
const closedAt = Date.now();
await sleep(ARGS.watchMs ?? 4000); // would it reconnect again?
report({ events, errors, requests, readyState: source.readyState, closed: closedAt < deadline });
source.close();
