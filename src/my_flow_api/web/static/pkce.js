// Sign-in under Logto with authorization code + PKCE (RFC 7636), no library needed:
// the browser's crypto makes the verifier and its S256 challenge. The verifier and the
// state wait in session storage during the round trip; the access token ends there too,
// and the one-time code is taken off the address bar as soon as the page reads it.

const PKCE_KEY = "myflow.pkce";

function base64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function redirectUri(location) {
  return `${location.origin}/`;
}

// The address of Logto's authorization endpoint for this sign-in (and what to keep).
export async function authorizeUrl(config, location) {
  const verifier = randomString();
  const state = randomString(16);
  const params = new URLSearchParams({
    client_id: config.logto_app_id,
    redirect_uri: redirectUri(location),
    response_type: "code",
    scope: ["openid", "offline_access", ...(config.scopes ?? [])].join(" "),
    resource: config.logto_resource,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
    state,
  });
  return { url: `${config.logto_endpoint}/oidc/auth?${params}`, verifier, state };
}

export async function startSignIn(config, storage, location) {
  const { url, verifier, state } = await authorizeUrl(config, location);
  storage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  location.assign(url);
}

// The code (or error) Logto sent back in the address, if this load is the way back.
export function callbackOf(search) {
  const params = new URLSearchParams(search);
  if (!params.has("code") && !params.has("error")) return null;
  return {
    code: params.get("code"), state: params.get("state"),
    error: params.get("error"), description: params.get("error_description"),
  };
}

export class SignInError extends Error {}

// Exchange the code for an access token; SignInError with a sentence when it fails.
export async function finishSignIn(config, callback, storage, location, fetchFn = fetch) {
  const saved = JSON.parse(storage.getItem(PKCE_KEY) ?? "null");
  storage.removeItem(PKCE_KEY);
  if (callback.error) {
    throw new SignInError(`Logto did not sign you in: ${callback.description || callback.error}.`);
  }
  if (!saved || saved.state !== callback.state) {
    throw new SignInError("That sign-in was not started here (its state does not match). Try again.");
  }
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: callback.code,
    redirect_uri: redirectUri(location),
    client_id: config.logto_app_id,
    code_verifier: saved.verifier,
    resource: config.logto_resource,
  });
  let response;
  try {
    response = await fetchFn(`${config.logto_endpoint}/oidc/token`, { method: "POST", body });
  } catch {
    throw new SignInError("Logto could not be reached to finish signing in. Try again.");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok || typeof answer.access_token !== "string") {
    throw new SignInError(`Logto refused the sign-in (${answer.error ?? `HTTP ${response.status}`}). Try again.`);
  }
  return answer.access_token;
}
