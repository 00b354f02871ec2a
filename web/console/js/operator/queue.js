// The chat queue as this operator sees it: every waiting request of the companies they serve,
// oldest first. Loaded with queue.list whenever the socket (re)opens, then kept live by the
// pushes: chat.requested adds, chat.taken / chat.withdrawn / chat.expired remove. A request
// leaves by itself when its accept_until passes (the visitor is offered the message form then).
//
// Events: "change" (the list changed), "added" (a new request, not one reloaded), "removed" (id).

import { Emitter, stopAll } from "./emitter.js";

export class QueueStore extends Emitter {
  constructor(socket) {
    super();
    this.socket = socket;
    this.requests = new Map(); // id -> the queued request (QueuedChat)
    this.timers = new Map(); // id -> the timer that drops it at accept_until
    this.stoppers = [
      socket.on("chat.requested", (event) => this.add(event.request, { announce: true })),
      ...["chat.taken", "chat.withdrawn", "chat.expired"].map((type) =>
        socket.on(type, (event) => this.remove(event.request)),
      ),
    ];
  }

  /** The waiting requests, oldest first. */
  get list() {
    return [...this.requests.values()].sort((a, b) => a.queued_ms - b.queued_ms || a.id.localeCompare(b.id));
  }

  /** Read the queue afresh: what left meanwhile goes, what came stays quiet (it was seen, or
   *  its notice was missed while disconnected and the list shows it now). */
  async load() {
    const answer = await this.socket.request("queue.list");
    const current = new Set(answer.requests.map((request) => request.id));
    for (const id of [...this.requests.keys()]) if (!current.has(id)) this.remove(id);
    for (const request of answer.requests) this.add(request, { announce: false });
    this.emit("change");
  }

  add(request, { announce }) {
    if (!request || this.requests.has(request.id)) return; // a notice may come twice
    const left = request.accept_until * 1000 - Date.now();
    if (left <= 0) return;
    this.requests.set(request.id, request);
    this.timers.set(
      request.id,
      setTimeout(() => this.remove(request.id), left),
    );
    if (announce) this.emit("added", request);
    this.emit("change");
  }

  remove(id) {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (!this.requests.delete(id)) return;
    this.emit("removed", id);
    this.emit("change");
  }

  stop() {
    stopAll(this.stoppers);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
