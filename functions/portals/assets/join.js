/* Deskless join page: a visitor redeems a session code or accepts an invitation (a POST made
   here, never by opening the link alone, so link scanners cannot use it up), then chats with
   the technician over the WebSocket API. Plain DOM; data is only ever set as textContent. */
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("join-data").textContent);
  const T = data.text;
  const PING_EVERY_MS = 5 * 60 * 1000; // API Gateway closes a WebSocket idle for 10 minutes
  const LONGEST_WAIT_MS = 30 * 1000;
  const VISIT_KEY = "deskless.visit"; // this tab's session, so a reload resumes it
  const NAME_KEY = "deskless.visitor-name"; // the name the visitor gave last time
  const origin = data.mode === "invite" ? "invite:" + data.invitation : "code:" + (data.code || "");
  // the browser's own variant of the page's language, if it has one (en-GB writes 14:05, en-US 02:05 PM)
  const locale = (navigator.languages || []).find((tag) => tag.toLowerCase().split("-")[0] === data.lang);
  const clock = new Intl.DateTimeFormat(locale || data.lang, { hour: "2-digit", minute: "2-digit" });
  const $ = (id) => document.getElementById(id);
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));

  let visit = null; // {session_id, token, websocket_url, technician_name, expires_at, name, origin}
  let socket = null;
  let attempts = 0;
  let ended = false;
  let keepalive = 0;
  let retry = 0;
  let pending = null; // the text of the message being sent
  const shown = new Set(); // ids of the messages on screen

  // --- storage (may be unavailable: private modes, blocked cookies) --------------------------

  const load = (storage, key) => {
    try {
      return JSON.parse(storage.getItem(key) || "null");
    } catch {
      return null;
    }
  };
  const save = (storage, key, value) => {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch {
      /* the page works without it */
    }
  };

  // --- joining ---------------------------------------------------------------------------------

  function start() {
    const stored = load(sessionStorage, VISIT_KEY);
    const resumable =
      stored && stored.expires_at * 1000 > Date.now() &&
      (data.mode === "code" && !data.code ? String(stored.origin).startsWith("code:") : stored.origin === origin);
    if (resumable) {
      openChat(stored);
      return;
    }
    const form = $("join-form");
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      join();
    });
    const name = load(localStorage, NAME_KEY);
    if (typeof name === "string" && name) {
      $("name").value = name;
      if (data.mode === "code" && data.code) join(); // it knows the code and the name: join at once
    }
  }

  async function join() {
    const nameInput = $("name");
    const codeInput = $("code");
    const name = nameInput.value.trim();
    const code = codeInput ? codeInput.value.replace(/\D/g, "") : "";
    clearFormError();
    if (data.mode === "code" && code.length !== 9) return formError(T.error_code_format, codeInput);
    if (!name) return formError(T.error_name_required, nameInput);
    busy(true);
    let response;
    try {
      response = await fetch(data.mode === "invite" ? data.api.accept : data.api.join, {
        method: "POST",
        credentials: "omit",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(data.mode === "invite" ? { name } : { code, name }),
      });
    } catch {
      busy(false);
      return formError(T.error_network);
    }
    const answer = await response.json().catch(() => ({}));
    if (response.ok && answer.token) {
      save(localStorage, NAME_KEY, name);
      const started = { ...answer, name, origin: data.mode === "invite" ? origin : "code:" + code };
      save(sessionStorage, VISIT_KEY, started);
      openChat(started);
      return;
    }
    busy(false);
    if (answer.error === "invitation_invalid") return invitationInvalid();
    if (answer.error === "too_many_attempts") return tooManyAttempts(response.headers.get("retry-after"));
    formError(answer.error === "code_invalid" ? T.error_code_invalid : T.error_generic, answer.error === "code_invalid" ? codeInput : null);
  }

  function busy(on) {
    $("join-button").disabled = on;
    $("join-status").textContent = on ? T.status_joining : "";
  }

  function formError(text, field) {
    const box = $("join-error");
    box.textContent = text;
    box.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      if (field.type !== "hidden") field.focus();
    }
  }

  function clearFormError() {
    $("join-error").hidden = true;
    for (const field of document.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  }

  function tooManyAttempts(retryAfter) {
    const seconds = Number.parseInt(retryAfter || "", 10);
    const at = Number.isFinite(seconds) ? Date.now() + seconds * 1000 : Date.parse(retryAfter || "") || Date.now() + 60000;
    formError(fill(T.error_too_many_attempts, { time: clock.format(new Date(at)) }));
    $("join-button").disabled = true;
    setTimeout(() => {
      $("join-button").disabled = false;
    }, Math.max(0, at - Date.now()));
  }

  function invitationInvalid() {
    const section = $("join");
    const heading = document.createElement("h1");
    heading.tabIndex = -1;
    heading.textContent = T.invite_invalid;
    const hint = document.createElement("p");
    hint.textContent = T.invite_invalid_hint;
    section.replaceChildren(heading, hint);
    heading.focus();
  }

  // --- the chat --------------------------------------------------------------------------------

  function openChat(started) {
    visit = started;
    $("join").hidden = true;
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
    const separator = visit.websocket_url.includes("?") ? "&" : "?";
    const ws = new WebSocket(visit.websocket_url + separator + "token=" + encodeURIComponent(visit.token));
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
      connected(false);
      if (ended) return;
      if (opened) later();
      else checkSession(); // refused: the session may have ended, or the network is down
    });
  }

  function later() {
    if (ended) return;
    status(T.status_reconnecting);
    const wait = Math.min(LONGEST_WAIT_MS, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
    attempts += 1;
    retry = setTimeout(connect, wait);
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  function receive(message) {
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
    if (socket) socket.close(1000);
  }

  function connected(on) {
    $("send").disabled = !on || pending !== null;
    $("end").disabled = !on;
  }

  function status(text) {
    $("status").textContent = text;
  }

  // --- the transcript --------------------------------------------------------------------------

  function transcriptUrl() {
    return data.api.messages.replace("{session_id}", encodeURIComponent(visit.session_id));
  }

  async function readTranscript() {
    const response = await fetch(transcriptUrl(), {
      credentials: "omit",
      headers: { authorization: "Bearer " + visit.token },
    });
    if (!response.ok) return { refused: response.status >= 400 && response.status < 500 };
    return { transcript: await response.json() };
  }

  async function catchUp() {
    // messages sent while this page was not connected (before it joined, or while it reconnected)
    try {
      const { transcript } = await readTranscript();
      if (transcript) transcript.messages.forEach(addMessage);
    } catch {
      /* the next reconnect tries again */
    }
  }

  async function checkSession() {
    try {
      const { transcript, refused } = await readTranscript();
      if (refused) return finish(null); // the visitor's token has expired
      if (transcript) {
        transcript.messages.forEach(addMessage);
        if (transcript.session.state !== "active") return finish(transcript.session.ended_by);
      }
    } catch {
      /* offline: wait and try again */
    }
    later();
  }

  function addMessage(message) {
    if (!message || shown.has(message.id)) return;
    shown.add(message.id);
    const item = document.createElement("li");
    item.className = message.sender_role === "visitor" ? "message mine" : "message theirs";
    item.dataset.at = String(message.at_ms);
    item.dataset.id = message.id;
    const meta = document.createElement("p");
    meta.className = "meta";
    const sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = message.sender_role === "visitor" ? T.you : message.sender_name;
    const time = document.createElement("time");
    time.dateTime = new Date(message.at_ms).toISOString();
    time.textContent = clock.format(new Date(message.at_ms));
    meta.append(sender, " ", time);
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = message.text;
    item.append(meta, text);
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
})();
