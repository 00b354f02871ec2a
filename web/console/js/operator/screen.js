// Screen sharing in the operator's chats (issue 15): per chat, at most one share from each side,
// {visitor, technician}, as the server tells them (`screen.update`, `screen.ended`, and
// `session.screens` when a chat is joined). The media goes browser to browser over WebRTC
// (globalThis.DesklessPeer, the shared peer.js loaded before the console's modules); only the
// signalling passes through the WebSocket (`screen.signal`, relayed to the share's other side).
//
// This console is the viewer of the customer's share and the sharer of its own. The store keeps
// the peers and streams, so a chat pane drawn again (another chat was looked at) shows the same
// video. An EventTarget: "change" (detail: {session, ended?: {share, by, reason}}).

import { ApiError } from "../api.js";

const ICE_MARGIN_MS = 60000; // ask for fresh ICE servers a minute before the TURN credentials expire
const STATES = ["requested", "accepted", "live"]; // a share only moves on: news of an earlier state is old

export class ScreenStore extends EventTarget {
  constructor({ socket, chats }) {
    super();
    this.socket = socket;
    this.chats = chats;
    this.sessions = new Map(); // session id -> {visitor, technician}: entries, or null
    this.early = new Map(); // share id -> signals that came before its peer was open
    // The answer to an action may come after the events it caused (the server publishes first):
    // what ended stays ended (`gone`), and a share's state never goes back.
    this.gone = new Set(); // ids of the shares that ended
    this.ice = null; // {servers, until}: the last screen.ice answer
    this.life = new AbortController();
    const { signal } = this.life;
    socket.addEventListener("screen.update", ({ detail }) => this.updated(detail.session, detail.share), { signal });
    socket.addEventListener(
      "screen.ended",
      ({ detail }) => this.ended(detail.session, detail.share, { by: detail.by, reason: detail.reason }),
      { signal },
    );
    socket.addEventListener("screen.signal", ({ detail }) => this.signalled(detail), { signal });
    chats.addEventListener(
      "opened",
      ({ detail: { chat, asked } }) => this.known(chat.id, chat.session.screens || [], asked),
      { signal },
    );
    chats.addEventListener("change", () => this.sweep(), { signal });
  }

  /** The shares of a chat: {visitor, technician}, each {share, connection, reason, stream, mine} or null. */
  of(sessionId) {
    return this.sessions.get(sessionId) || { visitor: null, technician: null };
  }

  /** Ask to see the customer's screen; they are asked for their consent. */
  async request(sessionId) {
    const answer = await this.socket.request("screen.request", { session: sessionId });
    this.updated(sessionId, answer.share);
  }

  /**
   * Share the operator's own screen: the browser's picker opens at once (call this in the click),
   * then the server is told; the customer's page views it. Rejects with `reason` ("cancelled",
   * "unsupported", "failed") when no screen was picked.
   */
  async shareMine(sessionId) {
    const peers = globalThis.DesklessPeer;
    if (!peers) throw new ApiError(0, "unsupported", "Screen sharing is not available in this console.");
    const stream = await peers.capture();
    let answer;
    try {
      answer = await this.socket.request("screen.share", { session: sessionId });
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      throw error;
    }
    if (this.gone.has(answer.share.id)) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    const entry = this.entry(sessionId, answer.share);
    entry.stream = stream;
    entry.mine = true;
    // The browser's own "Stop sharing" ends the share too.
    for (const track of stream.getVideoTracks()) {
      track.addEventListener("ended", () => this.end(sessionId, answer.share.id).catch(() => {}));
    }
    this.changed(sessionId);
    this.connect(sessionId, entry, "sharer");
  }

  /** End a share (either side's): the other side is told; `reason` as the design's words. */
  async end(sessionId, shareId, reason = "stopped") {
    try {
      await this.socket.request("screen.stop", { session: sessionId, share: shareId, reason });
    } catch (error) {
      if (!(error instanceof ApiError && ["not_found", "session_ended"].includes(error.code))) throw error;
    }
    const entry = this.find(sessionId, shareId);
    if (entry) this.ended(sessionId, entry.share, { by: "technician", reason });
  }

  /** Send a pointer message ({t: "move"|"hide"|"mark", ...}) to the customer sharing their screen. */
  point(sessionId, message) {
    this.of(sessionId).visitor?.peer?.point(message);
  }

  // --- what the server says ------------------------------------------------------------------

  updated(sessionId, share) {
    if (this.gone.has(share.id)) return;
    const known = this.find(sessionId, share.id);
    if (known && STATES.indexOf(share.state) < STATES.indexOf(known.share.state)) return;
    const entry = this.entry(sessionId, share);
    this.changed(sessionId);
    if (share.state === "live" && share.from === "visitor") this.connect(sessionId, entry, "viewer");
  }

  /** A share ended (or this console ended it): the peer closes, a stream of ours stops. */
  ended(sessionId, share, { by, reason }) {
    this.gone.add(share.id);
    const shares = this.sessions.get(sessionId);
    const entry = shares?.[share.from];
    if (!entry || entry.share.id !== share.id) return;
    shares[share.from] = null;
    this.early.delete(share.id);
    this.teardown(entry);
    this.changed(sessionId, { share, by, reason });
  }

  signalled({ session, share: shareId, description, candidate }) {
    const signal = description ? { description } : { candidate };
    const entry = this.find(session, shareId);
    if (entry?.peer) {
      entry.peer.receive(signal);
      return;
    }
    const early = this.early.get(shareId) || [];
    early.push(signal);
    this.early.set(shareId, early);
    if (entry?.share.from === "visitor") this.connect(session, entry, "viewer"); // the offer came first
  }

  /** What a (re)joined chat's session says is going on, as read after `asked` (performance.now()):
   * shares heard of before then and no longer there have ended; one heard of since may be newer
   * than the answer, and its own screen.ended will say if it ended. */
  known(sessionId, screens, asked) {
    const ids = new Set(screens.map((share) => share.id));
    for (const entry of Object.values(this.of(sessionId))) {
      if (entry && entry.heard < asked && !ids.has(entry.share.id)) {
        this.ended(sessionId, entry.share, { by: null, reason: "left" });
      }
    }
    for (const share of screens) this.updated(sessionId, share);
  }

  /** Chats that ended or were closed end their shares (the server ends them too). */
  sweep() {
    for (const [sessionId, shares] of this.sessions) {
      if (this.chats.chats.get(sessionId)?.state === "active") continue;
      for (const entry of Object.values(shares)) {
        if (entry) this.ended(sessionId, entry.share, { by: null, reason: "session_ended" });
      }
      this.sessions.delete(sessionId);
    }
  }

  // --- the peers -------------------------------------------------------------------------------

  entry(sessionId, share) {
    let shares = this.sessions.get(sessionId);
    if (!shares) {
      shares = { visitor: null, technician: null };
      this.sessions.set(sessionId, shares);
    }
    let entry = shares[share.from];
    if (!entry || entry.share.id !== share.id) {
      if (entry) this.teardown(entry);
      const heard = performance.now();
      entry = { share, heard, connection: "", reason: "", stream: null, mine: false, peer: null, opening: false };
      shares[share.from] = entry;
    }
    entry.share = share;
    return entry;
  }

  find(sessionId, shareId) {
    return Object.values(this.of(sessionId)).find((entry) => entry?.share.id === shareId) || null;
  }

  /** Open the share's WebRTC peer (once): ICE servers first, then the signals that came early. */
  async connect(sessionId, entry, role) {
    if (entry.peer || entry.opening) return;
    const peers = globalThis.DesklessPeer;
    entry.opening = true;
    entry.connection = "connecting";
    this.changed(sessionId);
    try {
      if (!peers) throw new Error("this console has no WebRTC script");
      const iceServers = await this.iceServers(sessionId);
      if (this.find(sessionId, entry.share.id) !== entry) return; // it ended meanwhile
      const shareId = entry.share.id;
      entry.peer = peers.open({
        role,
        iceServers,
        stream: role === "sharer" ? entry.stream : undefined,
        signal: (message) =>
          this.socket.request("screen.signal", { session: sessionId, share: shareId, ...message }).catch(() => {}),
        onState: (state, reason) => {
          entry.connection = state;
          entry.reason = reason || "";
          this.changed(sessionId);
        },
        onStream: (stream) => {
          entry.stream = stream;
          this.changed(sessionId);
        },
        onPointer: () => {},
      });
      for (const signal of this.early.get(shareId) || []) entry.peer.receive(signal);
      this.early.delete(shareId);
    } catch (error) {
      entry.connection = "failed";
      entry.reason = error.message || "the connection could not be set up";
      this.changed(sessionId);
    } finally {
      entry.opening = false;
    }
  }

  async iceServers(sessionId) {
    if (!this.ice || this.ice.until < Date.now()) {
      const answer = await this.socket.request("screen.ice", { session: sessionId });
      this.ice = { servers: answer.ice_servers, until: answer.expires_at_ms - ICE_MARGIN_MS };
    }
    return this.ice.servers;
  }

  teardown(entry) {
    entry.peer?.close();
    entry.peer = null;
    if (entry.mine) for (const track of entry.stream?.getTracks() || []) track.stop();
    entry.stream = null;
  }

  changed(session, ended) {
    this.dispatchEvent(new CustomEvent("change", { detail: { session, ended } }));
  }

  /** At sign-out: every peer closes, the operator's own stream stops. */
  stop() {
    this.life.abort();
    for (const [sessionId, shares] of this.sessions) {
      for (const entry of Object.values(shares)) if (entry) this.ended(sessionId, entry.share, {});
    }
  }
}
