// A WHATWG-conformant Server-Sent Events parser for fetch() bodies.
// EventSource cannot POST nor send an Authorization header, so the page reads the
// stream with fetch() and frames events itself, exactly as the HTML standard says:
// lines end in CRLF, LF or CR; `data` lines join with LF; one leading space after the
// colon is dropped; the last event id persists across events; comments are skipped.

export class SSEParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.lastEventId = "";
    this.pendingCR = false;
    this.reset();
  }

  reset() {
    this.type = "";
    this.data = [];
    this.hasData = false;
  }

  // Feed decoded text; events are dispatched as soon as their blank line arrives.
  feed(text) {
    if (this.pendingCR && text.startsWith("\n")) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop();
    // A CR at the very end may be the first half of a CRLF split across chunks.
    if (this.buffer === "" && text.endsWith("\r")) this.pendingCR = true;
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.data.push(value);
      this.hasData = true;
    } else if (field === "event") {
      this.type = value;
    } else if (field === "id" && !value.includes("\0")) {
      this.lastEventId = value;
    }
    return undefined;
  }

  dispatch() {
    if (this.hasData) {
      this.onEvent({
        type: this.type || "message",
        data: this.data.join("\n"),
        id: this.lastEventId,
      });
    }
    this.reset();
  }
}

// Read a fetch() Response body as events until it ends (an aborted fetch rejects).
export async function readEvents(response, onEvent) {
  const parser = new SSEParser(onEvent);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
}
