// Resume bookkeeping: text and last event id saved together, replays skipped.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PendingAnswer, RESUME_KEY } from "../../src/my_flow_api/web/static/resume.js";

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

const START = { streamId: "s1", contextId: "c1", question: "hi", user: "alice" };
const token = (id, data) => ({ type: "message", id: String(id), data });

test("a reload resumes after the last event folded in, with its text", () => {
  const storage = new MemoryStorage();
  const tab = PendingAnswer.start(storage, START);
  tab.apply(token(1, "Hel"));
  tab.apply(token(2, "lo"));
  const reloaded = PendingAnswer.load(storage);
  assert.equal(reloaded.lastEventId, 2);
  assert.equal(reloaded.text, "Hello");
  assert.equal(reloaded.streamId, "s1");
  assert.equal(reloaded.state.user, "alice");
});

test("events replayed at or below the saved id are skipped, later ones appended once", () => {
  const storage = new MemoryStorage();
  const tab = PendingAnswer.start(storage, START);
  for (const [id, data] of [[1, "a"], [2, "b"], [3, "c"]]) tab.apply(token(id, data));
  const reloaded = PendingAnswer.load(storage);
  const applied = [token(2, "b"), token(3, "c"), token(4, "d"), token(4, "d"), token(5, "e")]
    .map((event) => reloaded.apply(event));
  assert.deepEqual(applied, [false, false, true, false, true]);
  assert.equal(reloaded.text, "abcde");
  assert.equal(PendingAnswer.load(storage).text, "abcde");
});

test("metadata and done move the id on without touching the text", () => {
  const storage = new MemoryStorage();
  const tab = PendingAnswer.start(storage, START);
  tab.apply(token(1, "x"));
  tab.apply({ type: "metadata", id: "2", data: "{}" });
  assert.equal(tab.text, "x");
  assert.equal(tab.lastEventId, 2);
});

test("a finished answer leaves nothing to resume", () => {
  const storage = new MemoryStorage();
  const tab = PendingAnswer.start(storage, START);
  tab.finish();
  assert.equal(PendingAnswer.load(storage), null);
});

test("a corrupt entry is dropped, not resumed", () => {
  const storage = new MemoryStorage();
  storage.setItem(RESUME_KEY, "{not json");
  assert.equal(PendingAnswer.load(storage), null);
  storage.setItem(RESUME_KEY, JSON.stringify({ streamId: 5, lastEventId: "x" }));
  assert.equal(PendingAnswer.load(storage), null);
  assert.equal(storage.getItem(RESUME_KEY), null);
});
