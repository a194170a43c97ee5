// Resume bookkeeping: what a reload needs to pick an answer up where it was.
// The answer's text and the id of the last event folded into it are saved together,
// in one sessionStorage entry per tab, after every event; so after a reload the page
// asks for exactly the events after that id (`Last-Event-ID`) and appends them: no text
// is shown twice and none is missed. An event at or below the saved id is ignored.

export const RESUME_KEY = "myflow.pending";

export class PendingAnswer {
  constructor(storage, state) {
    this.storage = storage;
    this.state = state;
  }

  static start(storage, { streamId, contextId, conversationId, question, user }) {
    const state = {
      streamId, contextId, conversationId: conversationId || null, question, user,
      text: "", lastEventId: 0,
    };
    const pending = new PendingAnswer(storage, state);
    pending.save();
    return pending;
  }

  // The answer this tab was streaming when it was reloaded, if any.
  static load(storage) {
    const raw = storage.getItem(RESUME_KEY);
    if (!raw) return null;
    try {
      const state = JSON.parse(raw);
      if (typeof state.streamId !== "string" || !Number.isInteger(state.lastEventId)) {
        throw new TypeError("not a pending answer");
      }
      return new PendingAnswer(storage, state);
    } catch {
      storage.removeItem(RESUME_KEY);
      return null;
    }
  }

  get text() { return this.state.text; }
  get lastEventId() { return this.state.lastEventId; }
  get streamId() { return this.state.streamId; }

  // Fold one event in; false when it was already counted (a replay) and must be skipped.
  apply(event) {
    const id = Number.parseInt(event.id, 10);
    if (Number.isInteger(id) && id <= this.state.lastEventId) return false;
    if (event.type === "message") this.state.text += event.data;
    if (Number.isInteger(id)) this.state.lastEventId = id;
    this.save();
    return true;
  }

  save() {
    this.storage.setItem(RESUME_KEY, JSON.stringify(this.state));
  }

  // The answer ended (done or error): nothing to resume any more.
  finish() {
    this.storage.removeItem(RESUME_KEY);
  }
}
