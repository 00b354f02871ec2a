// The console's WebSocket: one connection per console, kept open (reconnects with backoff),
// a heartbeat every HEARTBEAT_SECONDS so the operator counts as present, requests answered by
// id (the server echoes `id`), and pushed events dispatched by their `type`. It is an
// EventTarget, like the stores: listen with addEventListener(type, handler, {signal}); the
// event's detail is the message.

import { ApiError } from "./api.js";

const HEARTBEAT_SECONDS = 30; // the server's HEARTBEAT_EVERY_SECONDS: four chances in its 120 s window
const REQUEST_TIMEOUT_MS = 15000;
const MAX_BACKOFF_MS = 30000;
const POLICY_VIOLATION = 1008; // the authorizer refused the token

export class Socket extends EventTarget {
  constructor(url, token) {
    super();
    this.url = `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    this.pending = new Map(); // id -> {resolve, reject, timer}
    this.sequence = 0;
    this.backoff = 1000;
    this.state = "closed";
    this.stopped = false;
  }

  /** Dispatch a pushed message by its type, or the socket's own event: "state", "open", "close", "refused", "unauthorized". */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  connect() {
    this.stopped = false;
    this.state = "connecting";
    this.emit("state", this.state);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      ws.opened = true;
      this.backoff = 1000;
      this.state = "open";
      this.emit("state", this.state);
      this.emit("open");
      // The heartbeat's answer (the caller's presence) goes to listeners of its type, like a push.
      const beat = () =>
        this.request("heartbeat").then(
          (answer) => this.emit(answer.type, answer),
          () => {},
        );
      this.beat = setInterval(beat, HEARTBEAT_SECONDS * 1000);
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event));
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    const waiting = message.id !== undefined ? this.pending.get(message.id) : undefined;
    if (waiting) {
      this.pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.error) waiting.reject(new ApiError(0, message.error, message.message || message.error));
      else waiting.resolve(message);
      return;
    }
    if (message.type) this.emit(message.type, message);
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    clearInterval(this.beat);
    this.state = "closed";
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new ApiError(0, "disconnected", "The connection to the service was lost; try again."));
      this.pending.delete(id);
    }
    this.emit("state", this.state);
    this.emit("close", event);
    if (this.stopped) return;
    if (event.code === POLICY_VIOLATION) {
      this.emit("unauthorized");
      return;
    }
    if (!ws.opened) this.emit("refused"); // the handshake failed: the token may no longer be good
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  /** Send an action and wait for its answer; rejects with ApiError(code, message). */
  request(action, body = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ApiError(0, "disconnected", "Not connected to the service; reconnecting…"));
    }
    this.sequence += 1;
    const id = `c${this.sequence}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError(0, "timeout", "The service did not answer in time; try again."));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...body, action, id }));
    });
  }

  /** Close for good (logout): no reconnect. */
  close() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.beat);
    if (this.ws) this.ws.close(1000, "signed out");
  }
}
