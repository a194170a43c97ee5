// Failures read as sentences.
import assert from "node:assert/strict";
import { test } from "node:test";

import { describeResponse, describeStreamError } from "../../src/my_flow_api/web/static/errors.js";

const headers = (values) => new Headers(values);

test("a 429 names the wait from Retry-After", () => {
  const body = { detail: "At most 3 concurrent streams per user", code: "too_many_streams" };
  assert.equal(
    describeResponse(429, body, headers({ "Retry-After": "5" })),
    "Too many requests at once. At most 3 concurrent streams per user. Please try again in 5 seconds.",
  );
  assert.equal(
    describeResponse(429, null, headers({})),
    "Too many requests at once. Please try again in a moment.",
  );
  assert.match(describeResponse(429, null, headers({ "Retry-After": "1" })), /in 1 second\.$/);
});

test("provider failures and an expired session", () => {
  const body = { detail: "The openai provider failed (HTTP 500)." };
  assert.equal(
    describeResponse(502, body, headers({})),
    "The AI provider failed to answer. The openai provider failed (HTTP 500). Please try again.",
  );
  assert.match(describeResponse(503, null, headers({})), /^The service is unavailable right now\. Please/);
  assert.match(describeResponse(504, null, headers({})), /took too long/);
  assert.match(describeResponse(401, null, headers({})), /sign in again/);
  assert.match(describeResponse(418, null, headers({})), /HTTP 418/);
});

test("a stream error event", () => {
  const data = JSON.stringify({ error: "The openai provider reported an error", code: "x" });
  assert.equal(
    describeStreamError(data),
    "The answer stopped because of an error. The openai provider reported an error. What arrived is kept above.",
  );
  assert.equal(
    describeStreamError("not json"),
    "The answer stopped because of an error. What arrived is kept above.",
  );
});
