// The chat queue as this operator sees it: every waiting request of the companies they serve,
// oldest first. Loaded with queue.list whenever the socket (re)opens, then kept live by the
// pushes: chat.requested adds, chat.taken / chat.withdrawn / chat.expired remove. A request
// leaves by itself when its accept_until passes (the visitor is offered the message form then).
//
// An EventTarget: "change" (the list changed), "added" (detail: a new request, not one
// reloaded), "removed" (detail: its id).
//
// queue.list's answer may come after pushes of later news (the server read the queue before): a
// request heard of since it was asked stays, and one that left never comes back.

export class QueueStore extends EventTarget {
  constructor(socket) {
    super();
    this.socket = socket;
    this.requests = new Map(); // id -> the queued request (QueuedChat)
    this.timers = new Map(); // id -> the timer that drops it at accept_until
    this.heard = new Map(); // id -> when (performance.now()) it was added
    this.gone = new Map(); // id -> when a request left: taken, withdrawn or expired
    this.life = new AbortController();
    const { signal } = this.life;
    socket.addEventListener("chat.requested", ({ detail }) => this.add(detail.request, { announce: true }), { signal });
    for (const type of ["chat.taken", "chat.withdrawn", "chat.expired"]) {
      socket.addEventListener(type, ({ detail }) => this.remove(detail.request), { signal });
    }
  }

  /** The waiting requests, oldest first. */
  get list() {
    return [...this.requests.values()].sort((a, b) => a.queued_ms - b.queued_ms || a.id.localeCompare(b.id));
  }

  /** Read the queue afresh: what left meanwhile goes, what came stays quiet (it was seen, or
   *  its notice was missed while disconnected and the list shows it now). */
  async load() {
    const asked = performance.now();
    const answer = await this.socket.request("queue.list");
    const current = new Set(answer.requests.map((request) => request.id));
    for (const [id, heard] of [...this.heard]) if (heard < asked && !current.has(id)) this.remove(id);
    for (const request of answer.requests) this.add(request, { announce: false });
    for (const [id, at] of [...this.gone]) if (at < asked) this.gone.delete(id); // no answer lists it again
    this.dispatchEvent(new Event("change"));
  }

  add(request, { announce }) {
    if (!request || this.requests.has(request.id) || this.gone.has(request.id)) return; // a notice may come twice
    const left = request.accept_until * 1000 - Date.now();
    if (left <= 0) return;
    this.requests.set(request.id, request);
    this.heard.set(request.id, performance.now());
    this.timers.set(
      request.id,
      setTimeout(() => this.remove(request.id), left),
    );
    if (announce) this.dispatchEvent(new CustomEvent("added", { detail: request }));
    this.dispatchEvent(new Event("change"));
  }

  remove(id) {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.heard.delete(id);
    this.gone.set(id, performance.now());
    if (!this.requests.delete(id)) return;
    this.dispatchEvent(new CustomEvent("removed", { detail: id }));
    this.dispatchEvent(new Event("change"));
  }

  stop() {
    this.life.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
