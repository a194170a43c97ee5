// The API client: the bearer token from session storage, errors as sentences.

import { describeNetworkFailure, describeResponse } from "./errors.js";

const TOKEN_KEY = "myflow.token";
const USER_KEY = "myflow.user";

export class ApiError extends Error {
  constructor(status, sentence, body) {
    super(sentence);
    this.status = status;
    this.body = body;
  }
}

// Tokens live in sessionStorage (per tab, gone with it), never in the URL.
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() { return sessionStorage.getItem(USER_KEY); },
  save(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, user);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

let onExpired = () => {};

// What to do when the API says the token is no longer good (401): back to sign-in.
export function whenExpired(callback) {
  onExpired = callback;
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const sentence = describeResponse(response.status, body, response.headers);
  if (response.status === 401) onExpired(sentence);
  return new ApiError(response.status, sentence, body);
}

// fetch() with the token; resolves to the Response when it is 2xx, else throws ApiError.
export async function send(method, path, { body, headers = {}, signal } = {}) {
  const all = { Accept: "application/json", ...headers };
  if (session.token) all.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) all["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers: all, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, describeNetworkFailure(), null);
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function json(method, path, body) {
  const response = await send(method, path, { body });
  return response.status === 204 ? null : response.json();
}
