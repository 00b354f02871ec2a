// The operator's open chats: several at once, each a support session this console joined (by
// accepting a chat request, or because a customer came with the operator's code or invitation).
// A reload or a reconnect gets a new connection, which must join its sessions again:
// restore() joins every active session of the operator (GET /api/sessions) and those already
// open, and each join brings the transcript, merged with what is shown.
//
// An EventTarget: "change" (chats, their state or the selection changed), "message" (detail:
// {chat, message, live}: a message was added; live: it arrived now, not in a transcript caught up with),
// "opened" (detail: {chat, asked}: the chat was joined; its session as the server read it after
// `asked`, the performance.now() at which the join was sent, with its `screens`: screen.js takes
// them from there). A join's answer may come after pushes of later news (the server reads the
// session first, then joins): what is heard after `asked` is newer than the answer.

import { ApiError } from "../api.js";

const SELECTED_KEY = "deskless.console.chat";

export class ChatStore extends EventTarget {
  constructor({ socket, api, me }) {
    super();
    this.socket = socket;
    this.api = api;
    this.me = me;
    this.chats = new Map(); // session id -> chat
    this.selected = sessionStorage.getItem(SELECTED_KEY) || null;
    this.viewing = false; // the desk view is on screen (then the selected chat is in view)
    this.life = new AbortController();
    const { signal } = this.life;
    socket.addEventListener("chat.message", ({ detail }) => this.received(detail.session, detail.message), { signal });
    socket.addEventListener("participant.joined", ({ detail }) => this.visitor(detail, true), { signal });
    socket.addEventListener("participant.left", ({ detail }) => this.visitor(detail, false), { signal });
    socket.addEventListener("session.ended", ({ detail }) => this.ended(detail.session, detail.by), { signal });
  }

  /** Open chats, newest first; ended ones stay until closed. */
  get list() {
    return [...this.chats.values()].sort((a, b) => b.session.created_at - a.session.created_at);
  }

  get activeCount() {
    return this.list.filter((chat) => chat.state === "active").length;
  }

  get limit() {
    return this.me.console?.chat_limit ?? Infinity;
  }

  get atLimit() {
    return this.activeCount >= this.limit;
  }

  /** The chat shown to the operator now, if the desk is on screen. */
  inView(id) {
    return this.viewing && this.selected === id;
  }

  /** Join every active session again (after a reload or a reconnect). */
  async restore() {
    const sessions = await this.api.get("/api/sessions");
    const ids = new Set(sessions.filter((session) => session.state === "active").map((session) => session.id));
    for (const chat of this.chats.values()) if (chat.state === "active") ids.add(chat.id);
    await Promise.allSettled([...ids].map((id) => this.join(id)));
    if (!this.chats.has(this.selected)) this.select(this.list[0]?.id || null);
  }

  /** Join a session from this console; its chat opens with the transcript so far. */
  async join(sessionId) {
    const asked = performance.now();
    try {
      return this.open(await this.socket.request("session.join", { session: sessionId }), { asked });
    } catch (error) {
      if (error instanceof ApiError && error.code === "session_ended") this.ended(sessionId, null);
      throw error;
    }
  }

  /** Accept a chat request: the answer is the new session, joined. */
  async accept(requestId) {
    const asked = performance.now();
    const chat = this.open(await this.socket.request("chat.accept", { request: requestId }), { asked });
    this.select(chat.id);
    return chat;
  }

  open({ session, messages, visitor_present: visitorPresent }, { asked }) {
    let chat = this.chats.get(session.id);
    if (!chat) {
      chat = {
        id: session.id,
        session,
        state: session.state,
        endedBy: session.ended_by,
        messages: [],
        unread: 0,
        draft: "", // what the operator has typed and not sent
        sending: false, // a message is on its way
      };
      this.chats.set(chat.id, chat);
    }
    // An end, or a visitor's coming or going, heard while the join was under way is newer than the answer.
    Object.assign(chat, { session, state: chat.state === "ended" ? "ended" : session.state });
    if (!(chat.presenceHeard > asked)) chat.visitorPresent = visitorPresent;
    for (const message of messages) this.add(chat, message, false);
    this.dispatchEvent(new CustomEvent("opened", { detail: { chat, asked } }));
    this.changed();
    return chat;
  }

  async send(id, text) {
    const answer = await this.socket.request("chat.send", { session: id, text });
    const mine = {
      id: answer.message_id,
      sender_role: "technician",
      sender_name: this.me.name,
      text,
      at_ms: answer.at_ms,
    };
    const chat = this.chats.get(id);
    if (chat) this.add(chat, mine, true); // the published copy may come first or after: one is kept
  }

  async end(id) {
    try {
      await this.socket.request("session.end", { session: id });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "session_ended")) throw error;
    }
    this.ended(id, "technician");
  }

  /** Put an ended chat away (its transcript stays in Recent chats). */
  close(id) {
    if (this.chats.get(id)?.state === "active") return;
    this.chats.delete(id);
    if (this.selected === id) this.select(this.list[0]?.id || null);
    else this.changed();
  }

  /** A chat that opened by itself (a customer came with a code): marked until looked at. */
  flag(id) {
    const chat = this.chats.get(id);
    if (!chat || this.inView(id)) return;
    chat.unread = Math.max(chat.unread, 1);
    this.changed();
  }

  select(id) {
    this.selected = id;
    if (id) sessionStorage.setItem(SELECTED_KEY, id);
    else sessionStorage.removeItem(SELECTED_KEY);
    const chat = this.chats.get(id);
    if (chat && this.viewing) chat.unread = 0;
    this.changed();
  }

  /** The desk view came on screen (or went). */
  setViewing(viewing) {
    this.viewing = viewing;
    if (viewing) this.select(this.selected);
  }

  received(sessionId, message) {
    const chat = this.chats.get(sessionId);
    if (chat && this.add(chat, message, true)) this.changed();
  }

  /** Add a message once (by id), in time order; true when it was new. */
  add(chat, message, live) {
    if (chat.messages.some((known) => known.id === message.id)) return false;
    const at = chat.messages.findIndex((known) => known.at_ms > message.at_ms);
    chat.messages.splice(at < 0 ? chat.messages.length : at, 0, message);
    if (live && message.sender_role === "visitor" && !this.inView(chat.id)) chat.unread += 1;
    this.dispatchEvent(new CustomEvent("message", { detail: { chat, message, live } }));
    return true;
  }

  visitor(event, present) {
    const chat = this.chats.get(event.session);
    if (!chat || event.role !== "visitor") return;
    Object.assign(chat, { visitorPresent: present, presenceHeard: performance.now() });
    this.changed();
  }

  /** The chat has ended, `by` whom if known (null when a refused join is how the console learns
   * it): the session.ended that says who may come after, and still fills that in. */
  ended(sessionId, by) {
    const chat = this.chats.get(sessionId);
    if (!chat || (chat.state === "ended" && (by == null || chat.endedBy))) return;
    Object.assign(chat, { state: "ended", endedBy: by ?? chat.endedBy });
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }

  stop() {
    this.life.abort();
  }
}
