// The desk: the queue of chat requests and the operator's open chats, side by side. What it
// shows lives in the stores started at sign-in (ctx.operator); the view only draws them and
// forwards the operator's actions.

import { confirmAction } from "../dialogs.js";
import { countdown, field, h, replace, toast, uid } from "../dom.js";
import { ErrorMessage } from "../errors.js";
import { KeyedList } from "../keyed-list.js";
import { screenSharing } from "./screen-panel.js";
import { messageItem, originText, thread } from "./thread.js";

const VIA = { portal: "portal page", widget: "website widget" };

export const deskView = {
  id: "desk",
  title: "Desk",
  group: "Support",
  roles: ["technician", "admin"],
  mount(root, ctx) {
    const { queue, chats, presence, screens } = ctx.operator;
    const chatPanel = chatsSection(ctx);
    const queuePanel = queueSection(ctx, { accepted: chatPanel.focus });
    const load = h("p", { class: "muted chat-load" });
    replace(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Desk"), load),
      h("div", { class: "desk" }, queuePanel.node, chatPanel.node),
    );

    function renderLoad() {
      const limit = Number.isFinite(chats.limit) ? chats.limit : "∞";
      load.textContent = `${chats.activeCount} of ${limit} chats`;
    }

    const mounted = new AbortController();
    const { signal } = mounted;
    queue.addEventListener("change", queuePanel.render, { signal });
    queue.addEventListener("added", ({ detail: request }) => queuePanel.announce(request), { signal });
    chats.addEventListener(
      "change",
      () => {
        renderLoad();
        queuePanel.render();
        chatPanel.render();
      },
      { signal },
    );
    chats.addEventListener("message", ({ detail }) => chatPanel.message(detail), { signal });
    screens.addEventListener("change", ({ detail }) => chatPanel.screen(detail), { signal });
    presence.addEventListener("change", queuePanel.render, { signal });
    const ticking = setInterval(queuePanel.tick, 1000);
    chats.setViewing(true);
    renderLoad();
    queuePanel.render();
    chatPanel.render();
    return () => {
      clearInterval(ticking);
      mounted.abort();
      chats.setViewing(false);
    };
  },
};

// --- the queue -----------------------------------------------------------------------------

function queueSection(ctx, { accepted }) {
  const { queue, chats, presence } = ctx.operator;
  const count = h("span", { class: "badge info" });
  const why = h("p", { class: "notice", id: uid("why"), hidden: true });
  const problem = new ErrorMessage();
  const root = h("ul", { class: "queue-list", "aria-label": "Chat requests" });
  const empty = h("p", { class: "empty" }, "Nobody is waiting.");
  const announcer = h("div", { class: "offscreen", role: "status", "aria-live": "polite" });
  const titleId = uid("queue");
  const node = h(
    "section",
    { class: "card queue", "aria-labelledby": titleId },
    h("h2", { id: titleId }, "Queue ", count),
    why,
    problem.node,
    root,
    empty,
    announcer,
  );
  const list = new KeyedList(root, { key: (request) => request.id, item, on: { click: { accept: take } } });

  function refusal() {
    if (!presence.online) return "Go online to accept chats.";
    if (chats.atLimit)
      return `You have ${chats.activeCount} of ${chats.limit} chats open, your limit; end one to accept another.`;
    return "";
  }

  /** A request, with `refusal`: why it cannot be accepted now ("" when it can). */
  function item(request) {
    return h(
      "li",
      { class: "request" },
      h(
        "div",
        { class: "request-head" },
        h("strong", { class: "visitor" }, request.name),
        h("span", { class: "muted" }, `${request.company_name} · ${VIA[request.via] || request.via}`),
        h("span", { class: "wait" }),
      ),
      h("p", { class: "question" }, request.question),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "primary small",
            dataset: { action: "accept" },
            disabled: Boolean(request.refusal),
            "aria-describedby": request.refusal ? why.id : undefined,
            "aria-label": `Accept the chat with ${request.name}`,
          },
          "Accept",
        ),
      ),
    );
  }

  async function take(request, button) {
    button.disabled = true;
    problem.clear();
    try {
      await chats.accept(request.id);
      queue.remove(request.id);
      toast(`You are chatting with ${request.name}.`, "ok");
      accepted();
    } catch (error) {
      if (["chat_taken", "not_found"].includes(error.code)) queue.remove(request.id);
      problem.show(error);
    } finally {
      render();
    }
  }

  function render() {
    const reason = refusal();
    const requests = queue.list;
    list.render(requests.map((request) => ({ ...request, refusal: reason })));
    why.textContent = reason;
    why.hidden = !reason || !requests.length;
    count.textContent = `${requests.length} waiting`;
    empty.hidden = requests.length > 0;
    tick();
  }

  function tick() {
    const now = Date.now();
    for (const request of queue.list) {
      const wait = list.node(request.id)?.querySelector(".wait");
      if (wait) wait.textContent = `waiting ${countdown((now - request.queued_ms) / 1000)}`;
    }
  }

  function announce(request) {
    announcer.textContent = `New chat request from ${request.name} (${request.company_name}).`;
  }

  return { node, render, tick, announce };
}

// --- the chats ----------------------------------------------------------------------------

function chatsSection(ctx) {
  const { chats } = ctx.operator;
  const tabs = h("ul", { class: "chat-list", "aria-label": "Open chats" });
  const pane = h("div", { class: "chat-pane" });
  const titleId = uid("chats");
  const node = h(
    "section",
    { class: "card chats", "aria-labelledby": titleId },
    h("h2", { id: titleId }, "Chats"),
    tabs,
    pane,
  );
  let shown = null; // {id, parts} of the chat in the pane
  const list = new KeyedList(tabs, {
    key: (chat) => chat.id,
    item: tab,
    on: { click: { open: (chat) => open(chat.id) } },
  });

  /** A chat's tab, from what it shows: {id, name, ended, unread, current}. */
  function tab(chat) {
    const label = [chat.name, chat.ended && "ended", chat.unread && `${chat.unread} unread`];
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: ["chat-tab", chat.ended && "ended"],
          dataset: { action: "open" },
          "aria-label": label.filter(Boolean).join(", "),
          "aria-current": chat.current ? "true" : undefined,
        },
        h("span", { class: "tab-name" }, chat.name),
        chat.ended ? h("span", { class: "badge" }, "ended") : null,
        chat.unread ? h("span", { class: "badge danger unread" }, chat.unread) : null,
      ),
    );
  }

  function render() {
    list.render(
      chats.list.map((chat) => ({
        id: chat.id,
        name: chat.session.visitor_name,
        ended: chat.state === "ended",
        unread: chat.unread,
        current: chat.id === chats.selected,
      })),
    );
    tabs.hidden = !chats.chats.size;
    const chat = chats.chats.get(chats.selected);
    if (!chat) {
      shown = null;
      replace(
        pane,
        h(
          "p",
          { class: "empty" },
          "No chat open. Accept a request from the queue, or wait for a customer to join with your session code or invitation.",
        ),
      );
      return;
    }
    if (!shown || shown.id !== chat.id) {
      shown = { id: chat.id, parts: chatPane(chat, ctx) };
      replace(pane, shown.parts.node);
    }
    shown.parts.update();
  }

  function focus() {
    shown?.parts.focus();
  }

  function open(id) {
    chats.select(id);
    focus();
  }

  function message({ chat, message: said }) {
    if (shown && shown.id === chat.id) shown.parts.append(said);
  }

  /** A share of a chat changed (or ended): the pane of that chat updates in place. */
  function screen({ session, ended }) {
    if (shown && shown.id === session) shown.parts.update(ended);
  }

  return { node, render, message, screen, focus };
}

/** One chat: who, where from, whether the visitor is there, screen sharing (beside the thread while
 *  a screen is shown), the thread, the composer. */
function chatPane(chat, ctx) {
  const { chats } = ctx.operator;
  const origin = h("span", { class: "badge info" }, originText(chat.session));
  const present = h("span", { class: "badge" });
  const end = h("button", { type: "button", class: "danger small", on: { click: () => confirmEnd() } }, "End chat");
  const endedBy = h("span");
  const closed = h(
    "div",
    { class: "notice info ended-note", role: "status" },
    endedBy,
    h(
      "button",
      { type: "button", class: "small", on: { click: () => readTranscript(ctx, chat.id) } },
      "Read the transcript",
    ),
    h("button", { type: "button", class: "small", on: { click: () => chats.close(chat.id) } }, "Close"),
  );
  const problem = new ErrorMessage();
  const messages = thread(chat.messages, { live: true });
  const text = h("textarea", {
    rows: 2,
    value: chat.draft,
    placeholder: "Write a message… (Enter sends, Shift+Enter: new line)",
  });
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const composer = h("form", { class: "composer" }, field("Your message", text), h("div", { class: "actions" }, send));
  const screen = screenSharing(chat, ctx);
  const node = h(
    "article",
    { class: "chat", "aria-label": `Chat with ${chat.session.visitor_name}` },
    h(
      "header",
      { class: "chat-head" },
      h(
        "div",
        {},
        h("h3", {}, chat.session.visitor_name),
        h("div", { class: "actions" }, origin, present),
        screen.controls,
      ),
      h("div", { class: "actions" }, screen.buttons, end),
    ),
    screen.problem,
    h(
      "div",
      { class: "chat-body" },
      screen.panel,
      h("div", { class: "chat-talk" }, messages, closed, problem.node, composer),
    ),
  );

  text.addEventListener("input", () => {
    chat.draft = text.value;
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    const said = text.value;
    if (!said.trim() || send.disabled || chat.sending) return;
    // on its way: Send stays disabled, whatever redraws meanwhile (this pane, or another of the
    // chat's if the operator switches tabs and back)
    chat.sending = true;
    send.disabled = true;
    problem.clear();
    try {
      await chats.send(chat.id, said);
      // sent: it leaves the box of whichever pane shows the chat now; what was typed after it stays
      const { draft } = chat;
      chat.draft = draft.startsWith(said) ? draft.slice(said.length).trimStart() : draft;
    } catch (error) {
      problem.show(error);
    } finally {
      chat.sending = false;
      chats.changed(); // the chat's pane draws its box and Send again
      if (text.isConnected) text.focus();
    }
  });

  async function confirmEnd() {
    const sure = await confirmAction({
      title: `End the chat with ${chat.session.visitor_name}?`,
      message: "The visitor is told the chat has ended; the transcript stays in Recent chats.",
      confirm: "End chat",
      cancel: "Keep chatting",
    });
    if (!sure) {
      end.focus();
      return;
    }
    problem.clear();
    try {
      await chats.end(chat.id);
      toast(`The chat with ${chat.session.visitor_name} has ended.`, "ok");
    } catch (error) {
      problem.show(error);
    }
  }

  function scrollToEnd() {
    messages.scrollTop = messages.scrollHeight;
  }

  function update(ended) {
    const active = chat.state === "active";
    present.textContent = active ? (chat.visitorPresent ? "Visitor present" : "Visitor left") : "Ended";
    present.className = `badge ${active ? (chat.visitorPresent ? "ok" : "warn") : ""}`;
    end.hidden = !active;
    text.disabled = !active;
    if (text.value !== chat.draft) text.value = chat.draft; // the draft is the chat's
    send.disabled = !active || chat.sending;
    composer.hidden = !active;
    closed.hidden = active;
    endedBy.textContent =
      chat.endedBy === "technician"
        ? "You ended the chat."
        : chat.endedBy === "visitor"
          ? `${chat.session.visitor_name} ended the chat.`
          : "This chat has ended.";
    screen.update(ended);
  }

  function append(said) {
    const atEnd = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
    const after = [...messages.children].find((known) => Number(known.dataset.at) > said.at_ms);
    messages.insertBefore(messageItem(said), after || null);
    if (atEnd || said.sender_role !== "visitor") scrollToEnd();
  }

  requestAnimationFrame(scrollToEnd);
  update();
  return {
    node,
    update,
    append,
    focus: () => (chat.state === "active" ? text : closed.querySelector("button") || node).focus(),
  };
}

/** Show a session's transcript in Recent chats. */
function readTranscript(ctx, sessionId) {
  ctx.operator.transcriptWanted = sessionId;
  location.hash = "#/history";
}
