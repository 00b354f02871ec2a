// Recent chats: the operator's support sessions, newest first (GET /api/sessions), each
// transcript readable (GET /api/sessions/{id}/messages), downloadable as a .txt file, and made a
// ticket for its customer (POST /api/sessions/{id}/ticket: the transcript goes with it as a file).

import { Form } from "../admin/ui.js";
import { Latest } from "../api.js";
import { formDialog } from "../dialogs.js";
import { dateTime, h, replace, toast, uid } from "../dom.js";
import { busy } from "../errors.js";
import { KeyedTable } from "../keyed-list.js";
import { downloadTranscript, originText, thread } from "./thread.js";

export const historyView = {
  id: "history",
  title: "Recent chats",
  group: "Support",
  roles: ["technician", "admin"],
  mount(root, ctx) {
    let sessions = [];
    let reading = null; // the id of the session whose transcript is shown
    let gone = false;
    const reads = new Latest(); // the transcript asked for last is the one shown
    const list = new KeyedTable({
      caption: "Recent chats",
      columns: ["Visitor", "From", "Started", "State", ""],
      className: "sessions",
      empty: "No chats yet.",
      key: (session) => session.id,
      item: row,
      on: { click: { transcript: (session, button) => busy(button, list.problem, () => read(session.id)) } },
    });
    const reader = h("section", { class: "card transcript", "aria-live": "polite", hidden: true });
    const refresh = h("button", { type: "button", on: { click: () => busy(refresh, list.problem, load) } }, "Refresh");
    replace(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Recent chats"), refresh),
      h("div", { class: "history" }, h("section", { class: "card" }, list.node), reader),
    );

    /** What the rows show: the sessions, and which one's transcript is shown. */
    const shown = () => sessions.map((session) => ({ ...session, current: session.id === reading }));

    async function load() {
      await list.load(async () => {
        sessions = await ctx.api.get("/api/sessions");
        return shown();
      });
      const wanted = ctx.operator.transcriptWanted;
      ctx.operator.transcriptWanted = null;
      if (wanted && !gone) await read(wanted).catch((error) => list.problem.show(error));
    }

    /** A session's row, from what it shows (the session, and whether its transcript is shown). */
    function row(session) {
      const active = session.state === "active";
      return h(
        "tr",
        { class: session.current ? "current" : undefined },
        h("td", {}, session.visitor_name),
        h("td", {}, originText(session)),
        h("td", {}, dateTime(session.created_at * 1000)),
        h("td", {}, h("span", { class: ["badge", active ? "ok" : ""] }, active ? "Active" : "Ended")),
        h(
          "td",
          {},
          h(
            "div",
            { class: "actions" },
            h(
              "button",
              {
                type: "button",
                class: "small",
                dataset: { action: "transcript" },
                "aria-label": `Transcript of the chat with ${session.visitor_name}`,
              },
              "Transcript",
            ),
          ),
        ),
      );
    }

    async function read(sessionId) {
      const latest = reads.next();
      const { session, messages } = await ctx.api.get(`/api/sessions/${encodeURIComponent(sessionId)}/messages`);
      if (gone || !latest()) return;
      const titleId = uid("transcript");
      const download = h(
        "button",
        { type: "button", class: "primary", on: { click: () => downloadTranscript(session, messages) } },
        "Download transcript",
      );
      const ticket = h(
        "button",
        { type: "button", on: { click: () => makeTicket(ctx, session, messages) } },
        "Make a ticket",
      );
      const ended = session.ended_at ? ` · ended ${dateTime(session.ended_at * 1000)}` : " · still going";
      reader.setAttribute("aria-labelledby", titleId);
      replace(
        reader,
        h(
          "div",
          { class: "view-head" },
          h("h2", { id: titleId }, `Chat with ${session.visitor_name}`),
          h("div", { class: "actions" }, ticket, download),
        ),
        h("p", { class: "muted" }, `${originText(session)} · started ${dateTime(session.created_at * 1000)}${ended}`),
        messages.length ? thread(messages) : h("p", { class: "empty" }, "No messages were written."),
      );
      reader.hidden = false;
      reading = sessionId;
      list.render(shown());
    }

    load();
    return () => {
      gone = true;
    };
  },
};

/** Ask for the customer's address and the ticket's title, then make the chat a ticket and open it. */
async function makeTicket(ctx, session, messages) {
  const form = new Form();
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "off", maxLength: 254 });
  const title = h("input", {
    name: "title",
    required: true,
    maxLength: 200,
    value: `Chat with ${session.visitor_name}`,
  });
  const first = messages.find((message) => message.sender_role === "visitor" && !message.event);
  const description = h("textarea", { name: "description", rows: 4, required: true }, first ? first.text : "");
  const made = await formDialog({
    title: `A ticket from the chat with ${session.visitor_name}`,
    form,
    fields: [
      form.field("email", "Customer's email", email, "Their contact, or a new one made for this address."),
      form.field("title", "Title", title),
      form.field("description", "Description", description, "The transcript goes with the ticket as a file."),
    ],
    submit: "Make the ticket",
    focus: email,
    save: () =>
      ctx.api.post(`/api/sessions/${encodeURIComponent(session.id)}/ticket`, {
        email: email.value.trim(),
        title: title.value,
        description: description.value,
      }),
  });
  if (!made) return;
  toast(`Ticket #${made.ticket.number} made from the chat.`, "ok");
  location.hash = `#/tickets/${made.ticket.number}`;
}
