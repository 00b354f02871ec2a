// The operator's presence as the server keeps it: status (online, away with a reason, away for
// idleness), the assigned channels and their switches, the admin's lock, notification methods.
// Every answer of presence.get / presence.set / heartbeat carries the whole presence, so the
// store just keeps the latest one. An EventTarget: "change" (detail: the presence).

export const CHANNELS = [
  { id: "chat", label: "Chat" },
  { id: "email", label: "Email" },
  { id: "phone", label: "Phone" },
];

// A heartbeat's answer may have been read before a change this console made answered (the
// server handles messages in parallel): within this long of a change it is not trusted.
const SETTLING_MS = 15000;

export class PresenceStore extends EventTarget {
  constructor(socket) {
    super();
    this.socket = socket;
    this.state = null; // the server's presence, once known
    this.changing = 0; // presence.set requests in flight
    this.changedAt = 0; // when the last one was sent or answered
    this.life = new AbortController();
    socket.addEventListener("presence", ({ detail: answer }) => this.beat(answer.presence), {
      signal: this.life.signal,
    });
  }

  /** A heartbeat's answer: brings an admin's changes (assigned channels, the lock). */
  beat(presence) {
    if (this.changing || Date.now() - this.changedAt < SETTLING_MS) return;
    this.update(presence);
  }

  get online() {
    return this.state?.status === "online";
  }

  /** Learn the presence (after connecting); a fresh sign-in starts Online. */
  async sync({ goOnline }) {
    if (goOnline) await this.set({ status: "online" });
    else this.update((await this.socket.request("presence.get")).presence);
  }

  /** Change what is given ({status, reason, auto, channels, notify}); rejects with the API's error. */
  async set(change) {
    this.changing += 1;
    this.changedAt = Date.now();
    try {
      const answer = await this.socket.request("presence.set", change);
      this.update(answer.presence);
      return this.state;
    } finally {
      this.changing -= 1;
      this.changedAt = Date.now();
    }
  }

  update(presence) {
    if (!presence) return;
    this.state = presence;
    this.dispatchEvent(new CustomEvent("change", { detail: presence }));
  }

  stop() {
    this.life.abort();
  }
}

/** Why the phone line is not available, or "" when it is. */
export function phoneProblem(presence, connected) {
  if (!connected) return "the console is not connected";
  if (!presence) return "connecting";
  if (!presence.assigned.includes("phone")) return "no phone channel is assigned to you";
  if (!presence.channels.phone) return "the phone channel is off";
  if (presence.status !== "online") return "you are away";
  return "";
}

/** "Away — Lunch", "Away (idle)", "Online": the status in words. */
export function statusText(presence) {
  if (!presence) return "Unknown";
  if (presence.status === "online") return "Online";
  if (presence.auto_away) return "Away (idle)";
  return presence.reason ? `Away — ${presence.reason}` : "Away";
}
