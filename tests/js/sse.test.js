// The page's SSE parser against the framing rules of the HTML standard.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SSEParser } from "../../src/my_flow_api/web/static/sse.js";

function parseAll(...chunks) {
  const events = [];
  const parser = new SSEParser((event) => events.push(event));
  for (const chunk of chunks) parser.feed(chunk);
  return events;
}

test("token, metadata and done events with their ids", () => {
  const events = parseAll(
    "id: 1\ndata: Hel\n\nid: 2\ndata: lo\n\n",
    'id: 3\nevent: metadata\ndata: {"flows":[]}\n\nid: 4\nevent: done\ndata: {}\n\n',
  );
  assert.deepEqual(events.map((e) => [e.type, e.data, e.id]), [
    ["message", "Hel", "1"],
    ["message", "lo", "2"],
    ["metadata", '{"flows":[]}', "3"],
    ["done", "{}", "4"],
  ]);
});

test("multi-line data joins with LF and keeps leading spaces after the first", () => {
  const [event] = parseAll("id: 7\ndata: line one\ndata:   indented\ndata: \ndata: event: done\n\n");
  assert.equal(event.data, "line one\n  indented\n\nevent: done");
});

test("an event split anywhere across chunks, CRLF split between chunks too", () => {
  const wire = "id: 5\r\ndata: split\r\n\r\nid: 6\rdata: cr only\r\r";
  for (let cut = 1; cut < wire.length; cut += 1) {
    const events = parseAll(wire.slice(0, cut), wire.slice(cut));
    assert.deepEqual(events.map((e) => [e.data, e.id]), [["split", "5"], ["cr only", "6"]], `cut ${cut}`);
  }
});

test("comments (pings) and events without data are not dispatched", () => {
  const events = parseAll(": ping\n\nid: 9\n\nevent: done\n\ndata: x\n\n");
  assert.deepEqual(events.map((e) => [e.type, e.data, e.id]), [["message", "x", "9"]]);
});

test("the last event id carries over to events without one", () => {
  const events = parseAll("id: 3\ndata: a\n\ndata: b\n\n");
  assert.deepEqual(events.map((e) => e.id), ["3", "3"]);
});

test("a field without a colon, and exactly one space stripped", () => {
  const events = parseAll("data\n\ndata:  two spaces\n\n");
  assert.deepEqual(events.map((e) => e.data), ["", " two spaces"]);
});

test("an unfinished event is not dispatched", () => {
  assert.deepEqual(parseAll("id: 1\ndata: half"), []);
});
