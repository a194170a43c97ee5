// The PKCE sign-in's own logic: the S256 challenge, the authorize URL, the code exchange.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  SignInError, authorizeUrl, callbackOf, challengeOf, finishSignIn, startSignIn,
} from "../../src/my_flow_api/web/static/pkce.js";

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

const CONFIG = {
  logto_endpoint: "https://auth.example", logto_app_id: "app-1",
  logto_resource: "https://api.example", scopes: ["read:flows"],
};
const LOCATION = { origin: "http://127.0.0.1:8000", assign(url) { this.assigned = url; } };

test("the S256 challenge of RFC 7636's example verifier", async () => {
  assert.equal(
    await challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  );
});

test("the authorize URL carries the challenge of the verifier kept, never the verifier", async () => {
  const { url, verifier, state } = await authorizeUrl(CONFIG, LOCATION);
  const parsed = new URL(url);
  assert.equal(parsed.origin + parsed.pathname, "https://auth.example/oidc/auth");
  const p = parsed.searchParams;
  assert.equal(p.get("code_challenge"), await challengeOf(verifier));
  assert.equal(p.get("code_challenge_method"), "S256");
  assert.equal(p.get("state"), state);
  assert.equal(p.get("redirect_uri"), "http://127.0.0.1:8000/");
  assert.equal(p.get("resource"), "https://api.example");
  assert.equal(p.get("scope"), "openid offline_access read:flows");
  assert.ok(verifier.length >= 43);
  assert.ok(!url.includes(verifier));
});

test("a sign-in round trip exchanges the code with the kept verifier", async () => {
  const storage = new MemoryStorage();
  const location = { ...LOCATION };
  await startSignIn(CONFIG, storage, location);
  const sent = new URL(location.assigned).searchParams;
  const callback = callbackOf(`?code=abc&state=${sent.get("state")}`);
  let request;
  const fetchFn = async (url, init) => {
    request = { url, form: Object.fromEntries(init.body) };
    return new Response(JSON.stringify({ access_token: "tok" }), { status: 200 });
  };
  assert.equal(await finishSignIn(CONFIG, callback, storage, location, fetchFn), "tok");
  assert.equal(request.url, "https://auth.example/oidc/token");
  assert.equal(request.form.grant_type, "authorization_code");
  assert.equal(request.form.code, "abc");
  assert.equal(await challengeOf(request.form.code_verifier), sent.get("code_challenge"));
  assert.equal(storage.getItem("myflow.pkce"), null);
});

test("a foreign state, an error and a refused code are sentences", async () => {
  const storage = new MemoryStorage();
  storage.setItem("myflow.pkce", JSON.stringify({ verifier: "v", state: "mine" }));
  await assert.rejects(
    finishSignIn(CONFIG, callbackOf("?code=x&state=theirs"), storage, LOCATION),
    (error) => error instanceof SignInError && /state does not match/.test(error.message),
  );
  await assert.rejects(
    finishSignIn(CONFIG, callbackOf("?error=access_denied&error_description=User+said+no"), storage, LOCATION),
    /Logto did not sign you in: User said no\./,
  );
  storage.setItem("myflow.pkce", JSON.stringify({ verifier: "v", state: "s" }));
  const refuse = async () => new Response(JSON.stringify({ error: "invalid_grant" }), { status: 400 });
  await assert.rejects(
    finishSignIn(CONFIG, callbackOf("?code=x&state=s"), storage, LOCATION, refuse),
    /Logto refused the sign-in \(invalid_grant\)/,
  );
  assert.equal(callbackOf("?other=1"), null);
});
