// The operator's side of the console: the views (desk, recent chats, session codes,
// invitations) and what lives as long as the sign-in, started by startOperator(ctx):
//   presence  status, channels and notification methods (presence.js), shown in the top bar
//   queue     the chat requests waiting (queue.js)
//   chats     the open chats (chats.js)
//   screens   the screens shared in them (screen.js)
//   notifier  sound and browser notifications (notifier.js), auto-away (idle.js)
// They are put on ctx.operator for the views. Every time the socket (re)opens they are synced
// again: presence (a fresh sign-in goes Online), the queue, and the chats, re-joined.

import { h } from "../dom.js";
import { reportError } from "../errors.js";
import { quickRepliesView } from "../templates/quick-replies.js";
import { ChatStore } from "./chats.js";
import { codesView } from "./codes.js";
import { deskView } from "./desk.js";
import { historyView } from "./history.js";
import { watchIdle } from "./idle.js";
import { invitationsView } from "./invitations.js";
import { Notifier, windowActive } from "./notifier.js";
import { PresenceStore } from "./presence.js";
import { QueueStore } from "./queue.js";
import { ScreenStore } from "./screen.js";
import { mountStatusBar } from "./statusbar.js";

export const operatorViews = [deskView, historyView, codesView, invitationsView, quickRepliesView];

const DEFAULT_REPEAT_SECONDS = 30;
const EARLY_ALERTS = 50; // ticket alerts kept while the presence is not known yet

export function startOperator(ctx) {
  const { socket, api, me } = ctx;
  const presence = new PresenceStore(socket);
  const queue = new QueueStore(socket);
  const chats = new ChatStore({ socket, api, me });
  const screens = new ScreenStore({ socket, chats });
  const notifier = new Notifier({
    repeatSeconds: me.console?.notification_repeat_seconds ?? DEFAULT_REPEAT_SECONDS,
    methods: () => presence.state?.notify || {},
    onOpen: (key) => {
      if (key.startsWith("ticket:")) {
        location.hash = `#/tickets/${key.slice("ticket:".length)}`;
        return;
      }
      location.hash = "#/desk";
      if (key.startsWith("chat:")) chats.select(key.slice("chat:".length));
    },
  });
  ctx.operator = { presence, queue, chats, screens, notifier, transcriptWanted: null };
  let goOnline = Boolean(ctx.fresh); // a fresh sign-in starts Online; a reload keeps what was set
  const early = []; // ticket alerts heard before the presence was known

  async function sync() {
    try {
      await presence.sync({ goOnline });
      goOnline = false;
    } catch (error) {
      reportError(error);
    }
    for (const notice of early.splice(0)) ticketNeedsYou({ detail: notice });
    const results = await Promise.allSettled([queue.load(), chats.restore()]);
    for (const result of results) if (result.status === "rejected") reportError(result.reason);
  }

  /** A customer came with the operator's code or invitation: join their session and open it. */
  async function arrived(session, how) {
    try {
      const chat = await chats.join(session.id);
      const busyElsewhere = chats.chats.get(chats.selected)?.state === "active" && chats.selected !== chat.id;
      if (busyElsewhere) chats.flag(chat.id);
      else chats.select(chat.id);
      notifier.alert(`chat:${chat.id}`, {
        kind: "queue",
        title: `${session.visitor_name} joined`,
        body: `They came ${how}.`,
      });
    } catch (error) {
      reportError(error);
    }
  }

  function visitorWrote({ detail: { chat, message, live } }) {
    if (!live || message.sender_role !== "visitor") return;
    if (chats.inView(chat.id) && windowActive()) return;
    notifier.alert(`chat:${chat.id}`, {
      kind: "message",
      title: `${message.sender_name} wrote`,
      body: message.text,
    });
  }

  function chatsChanged() {
    for (const chat of chats.chats.values()) {
      if (chat.state !== "active" || (chats.inView(chat.id) && windowActive())) notifier.clear(`chat:${chat.id}`);
    }
    navCount();
  }

  /** The number of waiting requests and unread messages, next to "Desk" in the navigation. */
  function navCount() {
    const link = document.querySelector('.sidebar a[data-view="desk"]');
    if (!link) return;
    let count = link.querySelector(".nav-count");
    if (!count) {
      count = h("span", { class: "nav-count" });
      link.append(count);
    }
    const unread = chats.list.reduce((sum, chat) => sum + chat.unread, 0);
    const total = queue.requests.size + unread;
    count.textContent = total ? String(total) : "";
    count.hidden = !total;
    count.title = `${queue.requests.size} waiting, ${unread} unread`;
  }

  /** A new ticket, or a customer's reply, for a ticket the operator follows: an alert (kind
   *  "ticket") while their email channel is on; one heard before the presence is known (the
   *  socket has just opened) is judged once it is (`sync`). */
  function ticketNeedsYou({ detail: notice }) {
    const state = presence.state;
    if (!notice.alert) return;
    if (!state) {
      if (early.length < EARLY_ALERTS) early.push(notice);
      return;
    }
    if (!state.assigned.includes("email") || !state.channels.email) return;
    const { number, title, requester } = notice.ticket;
    const heading =
      notice.type === "ticket.new"
        ? `New ticket #${number} from ${requester.name}`
        : `${notice.by || requester.name} replied on #${number}`;
    notifier.alert(`ticket:${number}`, { kind: "ticket", title: heading, body: title });
  }

  /** An automation rule's `notify` action: its message about a ticket, shown whatever the channels
   *  (a rule addressed this operator on purpose). */
  function ruleNotice({ detail: notice }) {
    const { number, title } = notice.ticket;
    notifier.alert(`ticket:${number}`, {
      kind: "ticket",
      title: `Rule “${notice.rule}” on #${number}`,
      body: notice.message || title,
    });
  }

  const life = new AbortController();
  const { signal } = life;
  socket.addEventListener("open", sync, { signal });
  for (const type of ["ticket.new", "ticket.reply"]) socket.addEventListener(type, ticketNeedsYou, { signal });
  socket.addEventListener("ticket.automation", ruleNotice, { signal });
  socket.addEventListener(
    "code.redeemed",
    ({ detail: pushed }) => arrived(pushed.session, `with your session code “${pushed.name}”`),
    { signal },
  );
  socket.addEventListener(
    "invitation.accepted",
    ({ detail: pushed }) =>
      arrived(pushed.session, pushed.name ? `with your invitation “${pushed.name}”` : "with your invitation"),
    { signal },
  );
  queue.addEventListener(
    "added",
    ({ detail: request }) =>
      notifier.alert(`queue:${request.id}`, {
        kind: "queue",
        title: `New chat request: ${request.name}`,
        body: `${request.company_name}: ${request.question}`,
      }),
    { signal },
  );
  queue.addEventListener("removed", ({ detail: id }) => notifier.clear(`queue:${id}`), { signal });
  queue.addEventListener("change", navCount, { signal });
  chats.addEventListener("message", visitorWrote, { signal });
  chats.addEventListener("change", chatsChanged, { signal });
  mountStatusBar(ctx.slots.status, { presence, socket, me, notifier, signal });
  watchIdle({ minutes: me.console?.auto_away_minutes || 0, presence, signal });

  return () => {
    life.abort();
    for (const store of [presence, queue, screens, chats, notifier]) store.stop();
    document.querySelector(".sidebar .nav-count")?.remove();
  };
}
