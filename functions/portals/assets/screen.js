/* Deskless screen sharing, the customer's side (issue 15): inlined after chat.js and peer.js on the
   join page and a portal's support page; the chat attaches it (DesklessChat.open's `screen`
   option), hands it every screen.* event and every answer to an action it sent, and asks it for
   the words of a screen event in the thread.

   The technician asks to see the screen (screen.update, state "requested"): a consent panel says
   so in plain words and takes focus (not its button: Enter typed into the composer must not
   share a screen). "Share my screen" opens the browser's picker in that click, then answers;
   with a stream the page says screen.start, fetches the ICE servers and offers the stream
   (DesklessPeer, role "sharer"). While it shares: a banner that stays in sight with "Stop
   sharing", and a small preview with the technician's pointer and marks drawn over it. The
   technician's own screen (a share from "technician") shows in a viewer panel. Either side's
   stop, the browser's own "Stop sharing", a failed connection and the end of the session tear
   everything down and stop the tracks. Data is only ever set as text. */
const DesklessScreen = (() => {
  "use strict";

  const MARK_MS = 3000; // a drawn mark fades away after this
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  const fraction = (value) => Math.min(1, Math.max(0, Number(value) || 0));

  /* chat: {visit, text, send(message) -> bool, composer(), attention()} from DesklessChat.open */
  function attach(chat) {
    const T = chat.text;
    const session = chat.visit.session_id;
    const technician = () => chat.visit.technician_name || "";
    const waiting = new Map(); // id of an action sent -> {resolve, reject}
    let counter = 0;
    let consent = null; // the requested share the consent panel asks about
    let sharing = null; // {share, name, stream, peer}: this page's screen
    let viewing = null; // {share, peer, queued}: the technician's screen
    let ended = false;
    const heardAt = new Map(); // share id -> when this page first heard of it (performance.now())
    const endedShares = new Set(); // ids of the shares the server ended
    const answered = new Set(); // ids of the requests this page is done with (never asked again)

    $("screen-accept").textContent = T.screen_accept;
    $("screen-decline").textContent = T.screen_decline;
    $("screen-stop").textContent = T.screen_stop;
    $("screen-view-full").textContent = T.screen_full_screen;
    $("screen-view-close").textContent = T.screen_view_close;
    $("screen-accept").addEventListener("click", accept);
    $("screen-decline").addEventListener("click", decline);
    $("screen-consent").addEventListener("keydown", (event) => {
      if (event.key === "Escape") decline();
    });
    $("screen-stop").addEventListener("click", () => stopSharing("stopped"));
    $("screen-view-close").addEventListener("click", () => stopViewing("stopped"));
    $("screen-view-full").addEventListener("click", () => {
      const video = $("screen-view");
      if (video.requestFullscreen) video.requestFullscreen().catch(() => {});
    });

    // --- talking to the server -------------------------------------------------------------------

    /* Send an action; the promise settles with its answer (or its error, as {error, message}). */
    function request(action, body) {
      counter += 1;
      const id = `screen-${counter}`;
      return new Promise((resolve, reject) => {
        if (!chat.send({ action, session, ...body, id })) return reject({ error: "offline" });
        waiting.set(id, { resolve, reject });
      });
    }

    /* Whether this message is the screen's: an event, or the answer to an action it sent. */
    function receive(message) {
      const id = typeof message.id === "string" ? message.id : "";
      if (id.startsWith("screen-")) {
        const handlers = waiting.get(id);
        waiting.delete(id);
        if (handlers) (message.error ? handlers.reject : handlers.resolve)(message);
        return true; // even "session_ended": the chat hears the session's end from session.ended itself
      }
      if (typeof message.type !== "string" || !message.type.startsWith("screen.")) return false;
      if (ended || (message.session && message.session !== session)) return true;
      if (message.share?.id && !heardAt.has(message.share.id)) {
        heardAt.set(message.share.id, performance.now());
      }
      if (message.type === "screen.update") updated(message.share);
      else if (message.type === "screen.ended") over(message.share);
      else if (message.type === "screen.signal") signalled(message);
      return true;
    }

    function updated(share) {
      if (!share) return;
      if (share.from === "visitor" && share.state === "requested") ask(share);
      if (share.from === "technician" && share.state === "live") view(share);
    }

    function over(share) {
      if (!share) return;
      endedShares.add(share.id);
      if (consent && consent.id === share.id) closeConsent();
      if (sharing && sharing.share.id === share.id) tearDownSharing();
      if (viewing && viewing.share.id === share.id) tearDownViewing();
    }

    function signalled(message) {
      const signal = message.description ? { description: message.description } : { candidate: message.candidate };
      if (sharing && sharing.share.id === message.share && sharing.peer) sharing.peer.receive(signal);
      else if (viewing && viewing.share.id === message.share) {
        if (viewing.peer) viewing.peer.receive(signal);
        else viewing.queued.push(signal); // the technician's offer may come before the ICE servers
      }
    }

    /* The shares the session had when the transcript was asked for (`asked`, performance.now(),
       after a reload or a reconnect): ask again for a pending request; drop what this page still
       holds that the server ended while it was not listening (not what it heard of since). */
    function sync(screens, asked) {
      if (!Array.isArray(screens) || ended) return;
      const ids = new Set(screens.map((share) => share.id));
      const gone = (share) => share && !ids.has(share.id) && (heardAt.get(share.id) ?? 0) < asked;
      if (gone(consent)) closeConsent();
      if (gone(sharing?.share)) tearDownSharing();
      if (gone(viewing?.share)) tearDownViewing();
      for (const share of screens) if (share.from === "visitor" && share.state === "requested") ask(share);
    }

    async function iceServers() {
      const answer = await request("screen.ice", {});
      return answer.ice_servers || [];
    }

    function signal(share) {
      return (message) => {
        request("screen.signal", { share: share.id, ...message }).catch(() => {});
      };
    }

    // --- consent ---------------------------------------------------------------------------------

    function ask(share) {
      if ((consent && consent.id === share.id) || sharing) return;
      if (answered.has(share.id) || endedShares.has(share.id)) return; // a late snapshot's
      consent = share;
      const name = share.by_name || technician();
      $("screen-consent-title").textContent = fill(T.screen_consent_title, { name });
      $("screen-consent-text").textContent = T.screen_consent_text;
      chat.attention(); // the widget's panel opens, if it was closed
      $("screen-consent").hidden = false;
      $("screen-consent").focus();
    }

    function closeConsent() {
      const panel = $("screen-consent");
      const focused = panel.contains(document.activeElement);
      if (consent) answered.add(consent.id);
      consent = null;
      panel.hidden = true;
      if (focused) chat.composer();
    }

    function decline() {
      if (!consent) return;
      const share = consent;
      closeConsent();
      request("screen.answer", { share: share.id, accept: false, reason: "declined" }).catch(() => {});
    }

    async function accept() {
      if (!consent) return;
      const share = consent;
      const name = share.by_name || technician();
      closeConsent();
      if (!capturable()) {
        request("screen.answer", { share: share.id, accept: false, reason: "unsupported" }).catch(() => {});
        return;
      }
      const capturing = DesklessPeer.capture(); // in the click itself: the picker needs it
      const answering = request("screen.answer", { share: share.id, accept: true });
      let stream;
      try {
        stream = await capturing;
      } catch (error) {
        await answering.catch(() => {});
        const reason = ["cancelled", "unsupported", "failed"].includes(error?.reason) ? error.reason : "failed";
        request("screen.stop", { share: share.id, reason }).catch(() => {});
        return;
      }
      try {
        await answering;
      } catch {
        stopTracks(stream); // withdrawn meanwhile, or the session ended
        return;
      }
      if (ended || sharing || endedShares.has(share.id)) return stopTracks(stream); // withdrawn while picking
      startSharing(share, name, stream);
    }

    function capturable() {
      return (
        typeof DesklessPeer !== "undefined" &&
        !!navigator.mediaDevices &&
        typeof navigator.mediaDevices.getDisplayMedia === "function"
      );
    }

    // --- sharing this page's screen -------------------------------------------------------------

    async function startSharing(share, name, stream) {
      const current = { share, name, stream, peer: null };
      sharing = current;
      for (const track of stream.getTracks()) track.addEventListener("ended", () => stopSharing("stopped"));
      $("screen-banner-text").textContent = fill(T.screen_banner, { name });
      $("screen-banner").hidden = false;
      $("screen-preview-label").textContent = fill(T.screen_preview_label, { name });
      $("screen-pointer-name").textContent = name;
      $("screen-preview").srcObject = stream;
      $("screen-sharing").hidden = false;
      try {
        // both at once: one round trip less before the offer
        const [, servers] = await Promise.all([request("screen.start", { share: share.id }), iceServers()]);
        if (sharing !== current) return;
        current.peer = DesklessPeer.open({
          role: "sharer",
          iceServers: servers,
          stream,
          signal: signal(share),
          onState: (state) => {
            if (state === "failed" && sharing === current) stopSharing("failed");
          },
          onPointer: point,
        });
      } catch {
        if (sharing === current) stopSharing("failed");
      }
    }

    function stopSharing(reason) {
      if (!sharing) return;
      const { share } = sharing;
      tearDownSharing();
      request("screen.stop", { share: share.id, reason }).catch(() => {});
    }

    function tearDownSharing() {
      if (!sharing) return;
      const { peer, stream } = sharing;
      sharing = null;
      if (peer) peer.close();
      stopTracks(stream);
      const focused = $("screen-banner").contains(document.activeElement);
      $("screen-banner").hidden = true;
      $("screen-sharing").hidden = true;
      $("screen-preview").srcObject = null;
      $("screen-pointer").hidden = true;
      $("screen-marks").replaceChildren();
      if (focused) chat.composer();
    }

    /* What the technician points at, over the preview: a dot with their name, or a mark. */
    function point(message) {
      if (!message || !sharing) return;
      const pointer = $("screen-pointer");
      if (message.t === "move") {
        const x = fraction(message.x);
        const y = fraction(message.y);
        pointer.dataset.x = String(x);
        pointer.dataset.y = String(y);
        pointer.style.left = `${x * 100}%`;
        pointer.style.top = `${y * 100}%`;
        pointer.hidden = false;
      } else if (message.t === "hide") {
        pointer.hidden = true;
      } else if (message.t === "mark" && Array.isArray(message.points) && message.points.length) {
        const points = message.points.filter((p) => Array.isArray(p) && p.length === 2);
        const d = points.map(([x, y], n) => `${n ? "L" : "M"}${fraction(x)} ${fraction(y)}`).join(" ");
        const path = document.createElementNS(SVG, "path");
        path.setAttribute("d", points.length === 1 ? `${d} l0.0001 0` : d);
        $("screen-marks").append(path);
        setTimeout(() => path.remove(), MARK_MS);
      }
    }

    // --- viewing the technician's screen ---------------------------------------------------------

    async function view(share) {
      if (viewing) return;
      const current = { share, peer: null, queued: [] };
      viewing = current;
      $("screen-view-title").textContent = fill(T.screen_view_title, { name: share.by_name || technician() });
      $("screen-view-state").textContent = T.status_connecting;
      $("screen-viewer").hidden = false;
      let servers;
      try {
        servers = await iceServers();
      } catch {
        if (viewing === current) stopViewing("failed");
        return;
      }
      if (viewing !== current || typeof DesklessPeer === "undefined") return;
      current.peer = DesklessPeer.open({
        role: "viewer",
        iceServers: servers,
        signal: signal(share),
        onState: (state) => {
          if (viewing !== current) return;
          if (state === "direct" || state === "relayed") $("screen-view-state").textContent = T.status_connected;
          if (state === "failed") {
            $("screen-view-state").textContent = T.screen_failed;
            stopViewing("failed");
          }
        },
        onStream: (stream) => {
          if (viewing === current) $("screen-view").srcObject = stream;
        },
      });
      for (const queued of current.queued.splice(0)) current.peer.receive(queued);
    }

    function stopViewing(reason) {
      if (!viewing) return;
      const { share } = viewing;
      tearDownViewing();
      request("screen.stop", { share: share.id, reason }).catch(() => {});
    }

    function tearDownViewing() {
      if (!viewing) return;
      const { peer } = viewing;
      viewing = null;
      if (peer) peer.close();
      const video = $("screen-view");
      if (video.srcObject) stopTracks(video.srcObject);
      video.srcObject = null;
      const focused = $("screen-viewer").contains(document.activeElement);
      $("screen-viewer").hidden = true;
      if (document.fullscreenElement === video) document.exitFullscreen().catch(() => {});
      if (focused) chat.composer();
    }

    function stopTracks(stream) {
      if (stream) for (const track of stream.getTracks()) track.stop();
    }

    // --- the session's end, and the words of a screen event -------------------------------------

    function end() {
      ended = true;
      closeConsent();
      dropped("session_ended");
    }

    /* This page's connection closed: the server ends the shares it took part in (reason "left"),
       and no answer to what it asked will come. A pending request outlives it (the page asks
       again once connected: see sync). */
    function dropped(error = "offline") {
      tearDownSharing();
      tearDownViewing();
      for (const { reject } of waiting.values()) reject({ error });
      waiting.clear();
    }

    /* A screen event of the transcript, in the page's language. */
    function describe(message) {
      const mine = message.sender_role === "visitor";
      const name = message.sender_name || "";
      switch (message.event) {
        case "screen_requested":
          return fill(T.screen_requested, { name });
        case "screen_accepted":
          return T.screen_accepted;
        case "screen_declined":
          if (message.reason === "cancelled") return T.screen_declined_cancelled;
          if (message.reason === "unsupported") return T.screen_declined_unsupported;
          if (message.reason === "failed") return T.screen_declined_failed;
          return T.screen_declined;
        case "screen_started":
          return mine ? T.screen_started_you : fill(T.screen_started_them, { name });
        case "screen_stopped":
          switch (message.reason) {
            case "cancelled":
              return T.screen_stopped_cancelled;
            case "unsupported":
              return T.screen_stopped_unsupported;
            case "failed":
              return T.screen_stopped_failed;
            case "left":
              return mine ? T.screen_stopped_left_you : fill(T.screen_stopped_left_them, { name });
            case "session_ended":
              return T.screen_stopped_session_ended;
            default:
              return mine ? T.screen_stopped_you : fill(T.screen_stopped_them, { name });
          }
        default:
          return "";
      }
    }

    return { receive, sync, describe, dropped, end };
  }

  return { attach };
})();
