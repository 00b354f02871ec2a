/* Deskless support page: what a visitor to a portal sees, on the portal itself (/) and inside the
   chat widget's frame (/widget) on a website the portal allows.

   Someone available: a chat request form. The request waits in the company's queue, its place
   pushed over the WebSocket (queue.position), until a technician accepts it (chat.accepted);
   then the chat runs (assets/chat.js, inlined before this). The visitor may cancel the wait;
   if nobody accepts in time, they are offered the message form with their question in it.
   Nobody available (or told so when asking): the message form. While the visitor has sent
   nothing, the page follows the portal's state (GET /api/portal, every 30 s and on return).
   In the widget's frame it also tells the embedding page, and only that page's origin, what to
   show: the launcher (and its size), the open panel, or nothing. Data is only set as text. */
(() => {
  "use strict";

  const { $, fill, clock, backoff, withToken, load, save } = DesklessChat;
  const data = JSON.parse($("support-data").textContent);
  const T = data.text;
  const widget = data.widget; // {origin}: inside the widget's frame on that website; null on the portal
  const POLL_EVERY_MS = 30 * 1000;
  const PING_EVERY_MS = 5 * 60 * 1000;
  const WITHDRAW_GRACE_MS = 5 * 1000;
  const CHAT_KEY = "deskless.portal-chat"; // this tab's accepted chat, so a reload resumes it
  const PANEL_KEY = "deskless.widget-open"; // the widget's panel stays open over "start a new chat"
  const LIMITS = { chat: 2000, message: 4000 }; // characters of a question, of a message
  const SECTIONS = ["contact", "waiting", "thanks", "closed"];

  let state = data.state; // available | unavailable | inactive
  let phase = "form"; // form | sending | waiting | chat | thanks
  let mode = state === "available" ? "chat" : "message"; // what the form sends
  let late = false; // nobody accepted the request in time: the message follows it
  let followUp = ""; // the id of that request
  let request = null; // the chat request waiting in the queue
  let socket = null;
  let attempts = 0;
  let retry = 0;
  let keepalive = 0;
  let deadline = 0;
  let withdrawing = false;
  let panelOpen = !widget;

  function start() {
    $("contact-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    $("withdraw").addEventListener("click", withdraw);
    $("new-chat-button").addEventListener("click", () => {
      if (widget) save("sessionStorage", PANEL_KEY, true);
      location.reload();
    });
    window.addEventListener("pagehide", () => {
      if (socket) socket.close(1000); // leaving while waiting withdraws the request
    });
    setInterval(poll, POLL_EVERY_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") poll();
    });
    if (widget) setUpWidget();
    const stored = load("sessionStorage", CHAT_KEY);
    const resumed = stored && stored.expires_at * 1000 > Date.now();
    if (resumed) openChat(stored);
    if (widget && (resumed || load("sessionStorage", PANEL_KEY))) setPanel(true);
    save("sessionStorage", PANEL_KEY, null);
    applyState(state);
  }

  // --- the portal's state ----------------------------------------------------------------------

  function applyState(next) {
    state = next;
    if (widget) tellSize();
    if (phase !== "form") return;
    if (state === "inactive") return show("closed");
    const wanted = late || state !== "available" ? "message" : "chat";
    if (wanted !== mode) setMode(wanted);
    show("contact");
  }

  async function poll() {
    try {
      const response = await fetch(data.api.portal, { credentials: "omit" });
      if (!response.ok) return;
      const answer = await response.json();
      if (answer.state && answer.state !== state) applyState(answer.state);
    } catch {
      /* offline: the next poll tries again */
    }
  }

  function setMode(next) {
    mode = next;
    const chat = mode === "chat";
    $("contact-heading").textContent = chat ? T.support_title : late ? T.late_title : T.leave_title;
    $("contact-intro").textContent = chat ? T.support_intro : late ? T.late_intro : T.leave_intro;
    $("contact-button").textContent = chat ? T.request_button : T.leave_button;
    $("question").maxLength = LIMITS[mode];
  }

  function show(id) {
    for (const section of SECTIONS) $(section).hidden = section !== id;
  }

  // --- the form --------------------------------------------------------------------------------

  function submit() {
    if (phase !== "form") return;
    const contact = { name: $("name").value.trim(), email: $("email").value.trim() };
    const question = $("question").value.trim();
    clearError();
    if (!contact.name) return formError(T.error_name_required, $("name"));
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact.email)) return formError(T.error_email_invalid, $("email"));
    if (!question) return formError(T.error_question_required, $("question"));
    if (mode === "chat") requestChat({ ...contact, question });
    else leaveMessage({ ...contact, message: question });
  }

  async function send(url, body) {
    busy(true, mode === "chat" ? T.status_requesting : T.status_sending);
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "omit",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, language: data.lang, via: data.via }),
      });
      return { response, answer: await response.json().catch(() => ({})) };
    } catch {
      return { response: null, answer: {} };
    } finally {
      busy(false, "");
    }
  }

  async function requestChat(body) {
    const { response, answer } = await send(data.api.chat_requests, body);
    if (response && response.status === 201 && answer.token) return wait(answer);
    refused(response, answer);
  }

  async function leaveMessage(body) {
    const { response, answer } = await send(
      data.api.messages,
      followUp ? { ...body, chat_request_id: followUp } : body,
    );
    if (response && response.status === 201) {
      phase = "thanks";
      $("thanks-text").textContent = fill(T.thanks_text, { email: body.email, number: answer.number });
      show("thanks");
      $("thanks-heading").focus();
      return;
    }
    refused(response, answer);
  }

  function refused(response, answer) {
    if (!response) return formError(T.error_network);
    if (answer.error === "no_technician_available") {
      applyState("unavailable"); // the message form, with what they wrote
      $("contact-heading").focus();
      return;
    }
    if (answer.error === "portal_unavailable") return applyState("inactive");
    if (response.status === 429) return tooMany(response.headers.get("retry-after"));
    formError(T.error_generic);
  }

  function busy(on, text) {
    phase = on ? "sending" : phase === "sending" ? "form" : phase;
    $("contact-button").disabled = on;
    $("contact-status").textContent = text;
  }

  function formError(text, field) {
    const box = $("contact-error");
    box.textContent = text;
    box.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function clearError() {
    $("contact-error").hidden = true;
    for (const field of document.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  }

  function tooMany(retryAfter) {
    const seconds = Number.parseInt(retryAfter || "", 10);
    const at = Date.now() + (Number.isFinite(seconds) ? seconds : 60) * 1000;
    formError(fill(T.error_too_many_attempts, { time: clock(data.lang).format(new Date(at)) }));
    $("contact-button").disabled = true;
    setTimeout(
      () => {
        $("contact-button").disabled = false;
      },
      Math.max(0, at - Date.now()),
    );
  }

  // --- waiting in the queue --------------------------------------------------------------------

  function wait(created) {
    request = created;
    phase = "waiting";
    withdrawing = false;
    $("withdraw").disabled = false;
    $("position").textContent = "";
    position(created.position);
    show("waiting");
    $("waiting-heading").focus();
    deadline = setTimeout(tooLate, created.wait_seconds * 1000);
    connect();
  }

  function connect() {
    clearTimeout(retry);
    const ws = new WebSocket(withToken(request.websocket_url, request.token));
    socket = ws;
    ws.addEventListener("open", () => {
      attempts = 0;
      // a withdrawal asked for while connecting; else, what happened before this connection
      ws.send(JSON.stringify({ action: withdrawing ? "chat.withdraw" : "chat.status" }));
      keepalive = setInterval(() => ws.send(JSON.stringify({ action: "ping" })), PING_EVERY_MS);
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (socket === ws) heard(message);
    });
    ws.addEventListener("close", () => {
      clearInterval(keepalive);
      if (socket !== ws) return;
      socket = null;
      if (phase === "waiting") retry = setTimeout(connect, backoff(attempts++));
    });
  }

  function heard(message) {
    if (phase !== "waiting" || (message.request && message.request !== request.request_id)) return;
    switch (message.type) {
      case "queue.position":
        return position(message.position);
      case "chat.accepted":
        return accepted(message.entry);
      case "chat.withdrawn":
        return withdrawn();
      case "chat.status":
        if (message.state === "accepted" && message.entry) return accepted(message.entry);
        if (message.state === "waiting") return position(message.position);
        return withdrawn();
      default:
        // refused: it was accepted (or ended) meanwhile; ask what became of it
        if (message.error && withdrawing) sendQueue({ action: "chat.status" });
    }
  }

  function position(place) {
    if (!place) return;
    $("position").textContent = place <= 1 ? T.waiting_next : fill(T.waiting_position, { position: place });
  }

  function withdraw() {
    withdrawing = true;
    $("withdraw").disabled = true;
    if (!sendQueue({ action: "chat.withdraw" }) && !socket) connect(); // sent once connected
    setTimeout(() => {
      if (phase === "waiting" && withdrawing) withdrawn(); // no answer: the page moves on anyway
    }, WITHDRAW_GRACE_MS);
  }

  function withdrawn() {
    stopWaiting();
    phase = "form";
    applyState(state);
    $("contact-heading").focus();
    if (withdrawing) $("contact-status").textContent = T.status_withdrawn;
    else formError(T.error_request_lost); // the server gave up on it: this page lost its connection
  }

  function tooLate() {
    if (phase !== "waiting") return;
    sendQueue({ action: "chat.withdraw" }); // it can no longer be accepted anyway
    followUp = request.request_id;
    late = true;
    stopWaiting();
    phase = "form";
    setMode("message");
    applyState(state);
    $("contact-heading").focus();
  }

  function accepted(entry) {
    const visit = { ...entry, name: $("name").value.trim(), origin: `chat:${request.request_id}` };
    phase = "chat";
    stopWaiting();
    save("sessionStorage", CHAT_KEY, visit);
    openChat(visit);
  }

  function sendQueue(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  function stopWaiting() {
    clearTimeout(deadline);
    clearTimeout(retry);
    clearInterval(keepalive);
    const ws = socket;
    socket = null;
    if (ws) ws.close(1000);
  }

  // --- the chat --------------------------------------------------------------------------------

  function openChat(visit) {
    phase = "chat";
    show(null);
    DesklessChat.open(visit, {
      text: T,
      lang: data.lang,
      messages: data.api.transcript,
      screen: DesklessScreen,
      onAttention: () => {
        if (widget && !panelOpen) setPanel(true);
      },
      onFinish: () => {
        save("sessionStorage", CHAT_KEY, null);
        $("new-chat").hidden = false;
      },
    });
  }

  // --- the widget's frame ----------------------------------------------------------------------

  function setUpWidget() {
    $("launcher").addEventListener("click", () => setPanel(true));
    $("close").addEventListener("click", () => setPanel(false));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && panelOpen) setPanel(false);
    });
  }

  function setPanel(on) {
    panelOpen = on;
    $("panel").hidden = !on;
    $("launcher").hidden = on;
    tellSize();
    if (on) {
      const heading = [...document.querySelectorAll("#panel h1")].find((h) => h.offsetParent !== null);
      if (heading) heading.focus();
    } else {
      $("launcher").focus();
    }
  }

  function tellSize() {
    if (state === "inactive" && phase === "form") return tell({ type: "hidden" });
    if (panelOpen) return tell({ type: "open" });
    const chatting = phase !== "form" && phase !== "thanks";
    $("launcher-label").textContent = state === "available" || chatting ? T.launcher_chat : T.launcher_message;
    $("launcher").hidden = false;
    const box = $("launcher").getBoundingClientRect();
    tell({ type: "launcher", width: Math.ceil(box.width) + 16, height: Math.ceil(box.height) + 16 });
  }

  function tell(message) {
    // only to the website the portal allowed, and only it may frame this page (frame-ancestors)
    window.parent.postMessage({ deskless: "widget", ...message }, widget.origin);
  }

  start();
})();
