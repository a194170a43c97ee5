// Shared by the client scenarios: the service to talk to (from the environment pytest
// sets), and one JSON line of observations on stdout for pytest to check.
export const BASE = process.env.MYFLOW_BASE_URL;
export const TOKEN = process.env.MYFLOW_TOKEN;
export const CONTEXT = process.env.MYFLOW_CONTEXT_ID;
export const ARGS = JSON.parse(process.env.MYFLOW_ARGS ?? "{}");
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

export function report(observations) {
  process.stdout.write(`${JSON.stringify(observations)}\n`);
}

export function within(ms, what) {
  return setTimeout(() => {
    process.stderr.write(`timed out after ${ms} ms: ${what}\n`);
    process.exit(3);
  }, ms).unref();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function userMessage(id, text) {
  return { id, role: "user", parts: [{ type: "text", text }] };
}
