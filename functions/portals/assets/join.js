/* Deskless join page: a visitor redeems a session code or accepts an invitation (a POST made
   here, never by opening the link alone, so link scanners cannot use it up), then chats with
   the technician (assets/chat.js, inlined before this), who may ask to see the screen
   (assets/peer.js and assets/screen.js, inlined between the two). */
(() => {
  "use strict";

  const { $, fill, clock, load, save } = DesklessChat;
  const data = JSON.parse($("join-data").textContent);
  const T = data.text;
  const VISIT_KEY = "deskless.visit"; // this tab's session, so a reload resumes it
  const NAME_KEY = "deskless.visitor-name"; // the name the visitor gave last time
  const origin = data.mode === "invite" ? `invite:${data.invitation}` : `code:${data.code || ""}`;

  function start() {
    const stored = load("sessionStorage", VISIT_KEY);
    const resumable =
      stored &&
      stored.expires_at * 1000 > Date.now() &&
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
    const name = load("localStorage", NAME_KEY);
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
      save("localStorage", NAME_KEY, name);
      const started = { ...answer, name, origin: data.mode === "invite" ? origin : `code:${code}` };
      save("sessionStorage", VISIT_KEY, started);
      openChat(started);
      return;
    }
    busy(false);
    if (answer.error === "invitation_invalid") return invitationInvalid();
    if (answer.error === "too_many_attempts") return tooManyAttempts(response.headers.get("retry-after"));
    formError(
      answer.error === "code_invalid" ? T.error_code_invalid : T.error_generic,
      answer.error === "code_invalid" ? codeInput : null,
    );
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
    const at = Number.isFinite(seconds)
      ? Date.now() + seconds * 1000
      : Date.parse(retryAfter || "") || Date.now() + 60000;
    formError(fill(T.error_too_many_attempts, { time: clock(data.lang).format(new Date(at)) }));
    $("join-button").disabled = true;
    setTimeout(
      () => {
        $("join-button").disabled = false;
      },
      Math.max(0, at - Date.now()),
    );
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

  function openChat(visit) {
    $("join").hidden = true;
    DesklessChat.open(visit, { text: T, lang: data.lang, messages: data.api.messages, screen: DesklessScreen });
  }

  start();
})();
