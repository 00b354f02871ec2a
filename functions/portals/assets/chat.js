/* Deskless chat: the visitor's side of a support session over the WebSocket API, shared by the
   join page (after a code or an invitation) and a portal's support page (after a technician
   accepted a chat request). A page inlines this file, then its own script, which calls
   DesklessChat.open(...) with the session it got. Plain DOM; data is only ever set as textContent.

   The chat runs in the page's #chat section: #chat-heading, #status, #messages, #composer with
   #message and #send, #chat-error and #end. Screen sharing (assets/screen.js) rides on it when
   the page passes DesklessScreen as the `screen` option: it hears the screen events and the
   answers to its own actions, and words the screen events of the thread. */
const DesklessChat = (() => {
  "use strict";

  const PING_EVERY_MS = 5 * 60 * 1000; // API Gateway closes a WebSocket idle for 10 minutes
  const LONGEST_WAIT_MS = 30 * 1000;

  const $ = (id) => document.getElementById(id);
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));

  // the browser's own variant of the page's language, if it has one (en-GB writes 14:05, en-US 02:05 PM)
  const clock = (lang) => {
    const locale = (navigator.languages || []).find((tag) => tag.toLowerCase().split("-")[0] === lang);
    return new Intl.DateTimeFormat(locale || lang, { hour: "2-digit", minute: "2-digit" });
  };

  // how long to wait before connecting again: doubling, capped, with jitter
  const backoff = (attempts) => Math.min(LONGEST_WAIT_MS, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);

  const withToken = (url, token) => `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;

  // --- storage: "sessionStorage" or "localStorage", named, since even reading the property
  // throws where storage is denied (private modes, blocked cookies, third-party frames) ----------

  const load = (storage, key) => {
    try {
      return JSON.parse(window[storage].getItem(key) || "null");
    } catch {
      return null;
    }
  };
  const save = (storage, key, value) => {
    try {
      if (value === null) window[storage].removeItem(key);
      else window[storage].setItem(key, JSON.stringify(value));
    } catch {
      /* the page works without it */
    }
  };

  // --- the chat --------------------------------------------------------------------------------

  /* Open the chat of `visit` ({session_id, token, websocket_url, technician_name, expires_at}).
     options: {text, lang, messages (the transcript URL, with {session_id}), onFinish(by), screen,
     onAttention() (the technician asks the customer something: the widget opens its panel)}. */
  function open(visit, options) {
    const T = options.text;
    const times = clock(options.lang);
    let socket = null;
    let attempts = 0;
    let ended = false;
    let keepalive = 0;
    let retry = 0;
    let pending = null; // the text of the message being sent
    const shown = new Set(); // ids of the messages on screen
    const screen = options.screen
      ? options.screen.attach({
          visit,
          text: T,
          send,
          composer: () => $("message").focus(),
          attention: () => options.onAttention?.(),
        })
      : null;

    function start() {
      $("chat").hidden = false;
      const heading = $("chat-heading");
      heading.textContent = fill(T.chat_heading, { technician: visit.technician_name || "" });
      heading.focus();
      $("composer").addEventListener("submit", (event) => {
        event.preventDefault();
        sendMessage();
      });
      $("message").addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          sendMessage();
        }
      });
      $("end").addEventListener("click", endSession);
      window.addEventListener("online", () => {
        if (!ended && !socket) connect();
      });
      connected(false);
      connect();
    }

    function connect() {
      clearTimeout(retry);
      status(attempts ? T.status_reconnecting : T.status_connecting);
      const ws = new WebSocket(withToken(visit.websocket_url, visit.token));
      let opened = false;
      socket = ws;
      ws.addEventListener("open", () => {
        opened = true;
        attempts = 0;
        status(T.status_connected);
        connected(true);
        keepalive = setInterval(() => send({ action: "ping" }), PING_EVERY_MS);
        catchUp();
      });
      ws.addEventListener("message", (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          return;
        }
        receive(message);
      });
      ws.addEventListener("close", () => {
        clearInterval(keepalive);
        if (socket === ws) socket = null;
        pending = null; // its text stays in the box; the transcript shows whether it was stored
        if (screen) screen.dropped();
        connected(false);
        if (ended) return;
        if (opened) later();
        else checkSession(); // refused: the session may have ended, or the network is down
      });
    }

    function later() {
      if (ended) return;
      status(T.status_reconnecting);
      const wait = backoff(attempts);
      attempts += 1;
      retry = setTimeout(connect, wait);
    }

    function send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    }

    function receive(message) {
      if (screen?.receive(message)) return;
      switch (message.type) {
        case "chat.message":
          addMessage(message.message);
          break;
        case "chat.sent":
          sent();
          break;
        case "session.ended":
          finish(message.by);
          break;
        case "session.end.ok":
          finish("visitor");
          break;
        case "participant.joined":
          if (message.role === "technician") notice(fill(T.notice_joined, { name: message.name || "" }));
          break;
        default:
          if (message.error === "session_ended") finish(null);
          else if (message.error || (message.message && !message.type)) failed();
      }
    }

    function sendMessage() {
      const box = $("message");
      const text = box.value;
      if (!text.trim() || pending !== null || ended) return;
      if (!send({ action: "chat.send", session: visit.session_id, text })) return failed();
      pending = text;
      $("send").disabled = true;
      $("chat-error").hidden = true;
    }

    function sent() {
      const box = $("message");
      if (box.value === pending) box.value = "";
      pending = null;
      $("send").disabled = !socket || ended;
      box.focus();
    }

    function failed() {
      pending = null;
      $("send").disabled = !socket || ended;
      $("end").disabled = !socket || ended;
      const box = $("chat-error");
      box.textContent = T.error_send;
      box.hidden = false;
    }

    function endSession() {
      if (send({ action: "session.end", session: visit.session_id })) $("end").disabled = true;
    }

    function finish(by) {
      if (ended) return;
      ended = true;
      clearTimeout(retry);
      clearInterval(keepalive);
      status(by === "visitor" ? T.status_you_ended : by === "technician" ? T.status_technician_ended : T.status_ended);
      connected(false);
      $("message").disabled = true;
      $("end").hidden = true;
      if (screen) screen.end();
      if (socket) socket.close(1000);
      if (options.onFinish) options.onFinish(by);
    }

    function connected(on) {
      $("send").disabled = !on || pending !== null;
      $("end").disabled = !on;
    }

    function status(text) {
      $("status").textContent = text;
    }

    // --- the transcript ------------------------------------------------------------------------

    async function readTranscript() {
      const asked = performance.now();
      const url = options.messages.replace("{session_id}", encodeURIComponent(visit.session_id));
      const response = await fetch(url, { credentials: "omit", headers: { authorization: `Bearer ${visit.token}` } });
      if (!response.ok) return { refused: response.status >= 400 && response.status < 500 };
      return { transcript: await response.json(), asked };
    }

    async function catchUp() {
      // messages sent while this page was not connected (before it joined, or while it reconnected)
      try {
        const { transcript, asked } = await readTranscript();
        if (transcript) caughtUp(transcript, asked);
      } catch {
        /* the next reconnect tries again */
      }
    }

    async function checkSession() {
      try {
        const { transcript, refused, asked } = await readTranscript();
        if (refused) return finish(null); // the visitor's token has expired
        if (transcript) {
          caughtUp(transcript, asked);
          if (transcript.session.state !== "active") return finish(transcript.session.ended_by);
        }
      } catch {
        /* offline: wait and try again */
      }
      later();
    }

    function caughtUp(transcript, asked) {
      transcript.messages.forEach(addMessage);
      if (screen && transcript.session.state === "active") screen.sync(transcript.session.screens, asked);
    }

    function addMessage(message) {
      if (!message || shown.has(message.id)) return;
      shown.add(message.id);
      const item = document.createElement("li");
      item.dataset.at = String(message.at_ms);
      item.dataset.id = message.id;
      if (message.event) {
        // a screen event: one line in the page's language, when it happened
        item.className = "notice screen-event";
        item.textContent = screen ? screen.describe(message) : "";
        return place(item, message);
      }
      item.className = message.sender_role === "visitor" ? "message mine" : "message theirs";
      const meta = document.createElement("p");
      meta.className = "meta";
      const sender = document.createElement("span");
      sender.className = "sender";
      sender.textContent = message.sender_role === "visitor" ? T.you : message.sender_name;
      const time = document.createElement("time");
      time.dateTime = new Date(message.at_ms).toISOString();
      time.textContent = times.format(new Date(message.at_ms));
      meta.append(sender, " ", time);
      const text = document.createElement("p");
      text.className = "text";
      text.textContent = message.text;
      item.append(meta, text);
      place(item, message);
    }

    function place(item, message) {
      const list = $("messages");
      const after = [...list.children].find(
        (other) =>
          other.dataset.at &&
          (Number(other.dataset.at) > message.at_ms ||
            (Number(other.dataset.at) === message.at_ms && other.dataset.id > message.id)),
      );
      list.insertBefore(item, after || null);
      list.scrollTop = list.scrollHeight;
    }

    function notice(text) {
      const item = document.createElement("li");
      item.className = "notice";
      item.textContent = text;
      const list = $("messages");
      list.append(item);
      list.scrollTop = list.scrollHeight;
    }

    start();
  }

  return { $, fill, clock, backoff, withToken, load, save, open };
})();
