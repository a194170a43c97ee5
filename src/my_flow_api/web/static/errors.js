// Failures as sentences a person can act on.

function seconds(n) {
  return n === 1 ? "1 second" : `${n} seconds`;
}

function retryAfter(headers) {
  const value = Number.parseInt(headers?.get?.("Retry-After") ?? "", 10);
  return Number.isInteger(value) && value >= 0 ? value : null;
}

// The server's own sentence (`detail`), ending in a full stop; "" when there is none.
function detailOf(body) {
  if (body && typeof body.detail === "string" && body.detail) {
    return body.detail.replace(/\.?$/, ".");
  }
  return "";
}

function sentences(...parts) {
  return parts.filter(Boolean).join(" ");
}

const BY_STATUS = {
  401: () => "Your session has expired or is not valid any more. Please sign in again.",
  403: (d) => sentences("You are not allowed to do this.", d),
  404: (d) => sentences("That was not found; it may have been deleted.", d),
  413: (d) => sentences("That message is too long.", d),
  422: () => "Some of what you entered is not valid; please check it.",
  429: (d, headers) => {
    const wait = retryAfter(headers);
    const when = wait === null ? "in a moment" : `in ${seconds(wait)}`;
    return sentences("Too many requests at once.", d, `Please try again ${when}.`);
  },
  502: (d) => sentences("The AI provider failed to answer.", d, "Please try again."),
  503: (d) => sentences("The service is unavailable right now.", d, "Please try again shortly."),
  504: () => "The AI provider took too long to answer. Please try again.",
};

// An HTTP error answer (status, parsed JSON body or null, headers) as a sentence.
export function describeResponse(status, body, headers) {
  const detail = detailOf(body);
  const describe = BY_STATUS[status];
  if (describe) return describe(detail, headers);
  return sentences(`Something went wrong (HTTP ${status}).`, detail);
}

// The data of a stream's `event: error` as a sentence.
export function describeStreamError(data) {
  let payload = null;
  try {
    payload = JSON.parse(data);
  } catch {
    payload = null;
  }
  const message = payload && typeof payload.error === "string" ? payload.error : "";
  return sentences(
    "The answer stopped because of an error.",
    message && message.replace(/\.?$/, "."),
    "What arrived is kept above.",
  );
}

// A network failure (fetch rejected) as a sentence.
export function describeNetworkFailure() {
  return "The service could not be reached. Check your connection and try again.";
}
