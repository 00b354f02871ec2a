// Recent chats: the operator's support sessions, newest first (GET /api/sessions), each
// transcript readable (GET /api/sessions/{id}/messages) and downloadable as a .txt file.

import { busy, dateTime, explain, h, replace, uid } from "../dom.js";
import { downloadTranscript, originText, thread } from "./thread.js";

export const historyView = {
  id: "history",
  title: "Recent chats",
  group: "Support",
  roles: ["technician", "admin"],
  mount(root, ctx) {
    const body = h("tbody");
    const table = h(
      "table",
      { class: "sessions", "aria-label": "Recent chats" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Visitor", "From", "Started", "State", ""].map((name) => h("th", { scope: "col" }, name)),
        ),
      ),
      body,
    );
    const status = h("p", { class: "muted", role: "status" }, "Loading…");
    const reader = h("section", { class: "card transcript", "aria-live": "polite", hidden: true });
    const refresh = h("button", { type: "button", on: { click: () => busy(refresh, load) } }, "Refresh");
    replace(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Recent chats"), refresh),
      h("div", { class: "history" }, h("section", { class: "card" }, status, table), reader),
    );
    let gone = false;

    async function load() {
      let sessions;
      try {
        sessions = await ctx.api.get("/api/sessions");
      } catch (error) {
        status.textContent = explain(error);
        status.className = "error";
        return;
      }
      if (gone) return;
      status.className = "muted";
      status.textContent = sessions.length ? "" : "No chats yet.";
      status.hidden = sessions.length > 0;
      table.hidden = !sessions.length;
      replace(body, sessions.map(row));
      const wanted = ctx.operator.transcriptWanted;
      ctx.operator.transcriptWanted = null;
      if (wanted) await read(wanted);
    }

    function row(session) {
      const open = h(
        "button",
        { type: "button", class: "small", "aria-label": `Transcript of the chat with ${session.visitor_name}` },
        "Transcript",
      );
      open.addEventListener("click", () => busy(open, () => read(session.id)));
      const active = session.state === "active";
      return h(
        "tr",
        { dataset: { session: session.id } },
        h("td", {}, session.visitor_name),
        h("td", {}, originText(session)),
        h("td", {}, dateTime(session.created_at * 1000)),
        h("td", {}, h("span", { class: ["badge", active ? "ok" : ""] }, active ? "Active" : "Ended")),
        h("td", {}, h("div", { class: "actions" }, open)),
      );
    }

    async function read(sessionId) {
      const { session, messages } = await ctx.api.get(`/api/sessions/${encodeURIComponent(sessionId)}/messages`);
      if (gone) return;
      const titleId = uid("transcript");
      const download = h(
        "button",
        { type: "button", class: "primary", on: { click: () => downloadTranscript(session, messages) } },
        "Download transcript",
      );
      const ended = session.ended_at ? ` · ended ${dateTime(session.ended_at * 1000)}` : " · still going";
      reader.setAttribute("aria-labelledby", titleId);
      replace(
        reader,
        h("div", { class: "view-head" }, h("h2", { id: titleId }, `Chat with ${session.visitor_name}`), download),
        h("p", { class: "muted" }, `${originText(session)} · started ${dateTime(session.created_at * 1000)}${ended}`),
        messages.length ? thread(messages) : h("p", { class: "empty" }, "No messages were written."),
      );
      reader.hidden = false;
      for (const line of body.querySelectorAll("tr"))
        line.classList.toggle("current", line.dataset.session === sessionId);
    }

    load();
    return () => {
      gone = true;
    };
  },
};
