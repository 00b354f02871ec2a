// How a support session's messages are shown (the desk's open chats, Recent chats) and written
// out as a plain-text transcript to download.

import { clock, dateTime, h } from "../dom.js";

/** "Chat request", "Code “Carla's printer”", "Invitation": where a session came from. */
export function originText(session) {
  const name = session.origin_name ? ` “${session.origin_name}”` : "";
  if (session.origin === "code") return `Session code${name}`;
  if (session.origin === "invitation") return `Invitation${name}`;
  return "Chat request";
}

/**
 * One message: sender, time, text (as typed; never HTML). A screen event is a one-line notice of
 * its text: the server words it once (deskless.sessions.screen_event_text) for every reader.
 */
export function messageItem(message) {
  if (message.event) return noticeItem(message);
  return h(
    "li",
    {
      class: ["message", message.sender_role === "visitor" ? "from-visitor" : "from-technician"],
      dataset: { id: message.id, at: message.at_ms },
    },
    h(
      "div",
      { class: "meta" },
      h(
        "span",
        { class: "sender" },
        message.sender_name || (message.sender_role === "visitor" ? "Visitor" : "Technician"),
      ),
      h(
        "time",
        { dateTime: new Date(message.at_ms).toISOString(), title: dateTime(message.at_ms) },
        clock(message.at_ms),
      ),
    ),
    h("p", { class: "text" }, message.text),
  );
}

function noticeItem(message) {
  return h(
    "li",
    { class: "message notice-line", dataset: { id: message.id, at: message.at_ms } },
    h(
      "time",
      { dateTime: new Date(message.at_ms).toISOString(), title: dateTime(message.at_ms) },
      clock(message.at_ms),
    ),
    " ",
    h("span", { class: "text" }, message.text),
  );
}

/** The list of messages, labelled for assistive technology. */
export function thread(messages, { live = false } = {}) {
  return h(
    "ol",
    {
      class: "thread",
      "aria-label": "Messages",
      role: live ? "log" : undefined,
      "aria-live": live ? "polite" : undefined,
    },
    messages.map(messageItem),
  );
}

function stamp(ms) {
  const at = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** The transcript as plain text, in the browser's time zone. */
export function transcriptText(session, messages) {
  const lines = [
    `Support session with ${session.visitor_name}`,
    `Technician: ${session.technician_name}`,
    `Origin: ${originText(session)}`,
    `Started: ${stamp(session.created_at * 1000)}`,
  ];
  if (session.ended_at)
    lines.push(`Ended: ${stamp(session.ended_at * 1000)}${session.ended_by ? ` by the ${session.ended_by}` : ""}`);
  lines.push("");
  for (const message of messages) {
    if (message.event) {
      lines.push(`[${stamp(message.at_ms)}] ${message.text}`);
      continue;
    }
    const text = message.text.replace(/\n/g, "\n    ");
    lines.push(`[${stamp(message.at_ms)}] ${message.sender_name}: ${text}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Offer the transcript as a .txt download (a Blob URL, released afterwards). */
export function downloadTranscript(session, messages) {
  const blob = new Blob([transcriptText(session, messages)], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const day = stamp(session.created_at * 1000).slice(0, 10);
  const who =
    session.visitor_name
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-|-$/g, "")
      .toLowerCase() || "visitor";
  const link = h("a", { href: url, download: `transcript-${who}-${day}.txt`, class: "offscreen" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
