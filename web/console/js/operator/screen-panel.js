// A chat's screen sharing, as the desk's chat pane shows it (screen.js keeps the shares):
//   buttons   "Request screen" and "Share my screen", disabled with the reason (controls: the
//             reasons, and what just ended, announced with role=status);
//   panel     section.screen-panel, hidden unless a share exists: a banner while the operator
//             shares their own screen, the state in words, the video
//             (fit to the panel; actual size and zoom; full screen), Point and Draw over the
//             customer's screen (sent as fractions of the picture), Stop sharing.
// Drawn once per chat pane and updated in place, so the chat beside it keeps its focus and draft.

import { h, uid } from "../dom.js";
import { ErrorMessage } from "../errors.js";

const ZOOM_STEP = 1.25;
const MIN_SCALE = 0.1;
const MAX_SCALE = 4;
const MARK_SECONDS = 3; // how long a drawn mark shows (the customer's page shows it as long)

/** peer.js's reasons for a failed connection, in words. */
const FAILURES = {
  no_path: "no network path between the two browsers (a firewall may block WebRTC)",
  timeout: "no connection within 30 seconds",
  lost: "the connection was lost",
  negotiation: "the browsers could not agree on the picture",
};

/**
 * Why a share ended, for the panel's own note in the operator's words ("You stopped viewing…");
 * the thread's notice of the same event is the event message's text, worded by the server.
 */
const WHY_STOPPED = {
  declined: "",
  stopped: "",
  cancelled: " (no screen was picked)",
  unsupported: " (the browser cannot share a screen)",
  failed: " (the connection failed)",
  left: " (they left)",
  session_ended: " (the session ended)",
};

/** " (the connection failed)": why a share stopped, after the words saying it did ("" for no reason). */
function screenReason(reason) {
  return WHY_STOPPED[reason] ?? (reason ? ` (${reason})` : "");
}

export function screenSharing(chat, ctx) {
  const { screens } = ctx.operator;
  const name = chat.session.visitor_name;
  const problem = new ErrorMessage();
  const note = h("p", { class: "screen-note", role: "status" });
  const requestWhy = h("small", { class: "screen-why", id: uid("why") });
  const shareWhy = h("small", { class: "screen-why", id: uid("why") });
  const request = h(
    "button",
    { type: "button", class: "small", "aria-describedby": requestWhy.id, on: { click: () => ask() } },
    "Request screen",
  );
  const share = h(
    "button",
    { type: "button", class: "small", "aria-describedby": shareWhy.id, on: { click: () => shareMine() } },
    "Share my screen",
  );
  const ownStop = h(
    "button",
    { type: "button", class: "danger small", on: { click: () => stop(screens.of(chat.id).technician) } },
    "Stop showing my screen",
  );
  const banner = h(
    "p",
    { class: "screen-banner", hidden: true },
    h("span", {}, `You are sharing your screen with ${name}.`),
    ownStop,
  );
  const buttons = h("div", { class: "actions screen-buttons" }, request, share);
  const controls = h("div", { class: "screen-whys" }, requestWhy, shareWhy);

  // --- the panel -------------------------------------------------------------------------------

  const titleId = uid("screen");
  const title = h("h4", { id: titleId });
  const state = h("p", { class: "screen-state", role: "status" });
  const tool = (text, click, props = {}) =>
    h("button", { type: "button", class: "small", ...props, on: { click } }, text);
  const pointing = tool("Point", () => setMode(mode === "point" ? "" : "point"), { "aria-pressed": "false" });
  const drawing = tool("Draw", () => setMode(mode === "draw" ? "" : "draw"), { "aria-pressed": "false" });
  const zoomOut = tool("−", () => zoom(1 / ZOOM_STEP), { "aria-label": "Zoom out", title: "Zoom out" });
  const zoomIn = tool("+", () => zoom(ZOOM_STEP), { "aria-label": "Zoom in", title: "Zoom in" });
  const actual = tool("Actual size", () => setScale(scale === null ? 1 : null));
  const full = tool("Full screen", () => fullScreen());
  const stopShown = h(
    "button",
    { type: "button", class: "danger small", on: { click: () => stop(shownEntry()) } },
    "Stop sharing",
  );
  const video = h("video", { class: "screen-video", autoplay: true, muted: true, playsInline: true });
  const marks = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  marks.setAttribute("class", "screen-marks");
  marks.setAttribute("viewBox", "0 0 1 1");
  marks.setAttribute("preserveAspectRatio", "none");
  marks.setAttribute("aria-hidden", "true");
  const frame = h("div", { class: "screen-frame" }, video, marks);
  const stage = h("div", { class: "screen-stage" }, frame);
  const panel = h(
    "section",
    { class: "screen-panel", "aria-labelledby": titleId, hidden: true },
    banner,
    h("div", { class: "screen-head" }, title, state, stopShown),
    h(
      "div",
      { class: "actions screen-tools", role: "toolbar", "aria-label": "Screen" },
      pointing,
      drawing,
      zoomOut,
      zoomIn,
      actual,
      full,
    ),
    stage,
  );

  let mode = ""; // "point" | "draw" | ""
  let scale = null; // null: fit to the panel; else a multiple of the picture's own size
  let shownId = null; // the share drawn in the panel
  let stroke = null; // the points of the mark being drawn
  let pending = null; // the pointer move to send at the next animation frame
  let frameAsked = 0;

  /** The share the panel shows: the customer's screen if they share it, else the operator's own. */
  function shownEntry() {
    const { visitor, technician } = screens.of(chat.id);
    return visitor || technician;
  }

  function reasonToRequest(shares) {
    if (!chat.visitorPresent) return `${name} is not in the chat now.`;
    const asked = shares.visitor?.share.state;
    if (asked === "requested") return `Waiting for ${name} to accept.`;
    if (asked === "accepted") return `${name} is choosing what to share.`;
    if (asked) return `${name} is sharing their screen.`;
    return "";
  }

  function reasonToShare(shares) {
    if (!chat.visitorPresent) return `${name} is not in the chat now.`;
    if (shares.technician) return "You are sharing your screen.";
    if (!navigator.mediaDevices?.getDisplayMedia) return "This browser cannot share a screen.";
    return "";
  }

  /** Draw what the store holds for this chat; `ended` ({share, by, reason}) is announced. */
  function update(ended) {
    const active = chat.state === "active";
    const shares = screens.of(chat.id);
    const whyRequest = reasonToRequest(shares);
    const whyShare = reasonToShare(shares);
    controls.hidden = !active;
    buttons.hidden = !active;
    request.disabled = Boolean(whyRequest);
    share.disabled = Boolean(whyShare);
    requestWhy.textContent = whyRequest;
    shareWhy.textContent = whyShare === whyRequest ? "" : whyShare;
    if (ended) note.textContent = endedWords(ended);
    else if (shares.visitor || shares.technician) note.textContent = "";

    const entry = shownEntry();
    banner.hidden = !shares.technician;
    ownStop.hidden = entry === shares.technician;
    panel.hidden = !entry;
    panel.closest(".chat")?.classList.toggle("screening", Boolean(entry));
    if (!entry) {
      shownId = null;
      video.srcObject = null;
      setMode("");
      return;
    }
    if (shownId !== entry.share.id) {
      shownId = entry.share.id;
      setScale(null);
      setMode("");
      marks.replaceChildren();
    }
    const theirs = entry.share.from === "visitor";
    title.textContent = theirs ? `${name}'s screen` : "Your screen";
    const words = stateWords(entry);
    if (state.textContent !== words) state.textContent = words;
    if (video.srcObject !== entry.stream) video.srcObject = entry.stream;
    const watching = theirs && Boolean(entry.stream);
    pointing.hidden = drawing.hidden = !theirs;
    pointing.disabled = drawing.disabled = !watching;
    for (const control of [zoomOut, zoomIn, actual, full]) control.disabled = !entry.stream;
  }

  function stateWords(entry) {
    const { share } = entry;
    if (share.state === "requested") return `Waiting for ${name} to accept…`;
    if (share.state === "accepted") return `${name} accepted: waiting for the customer's screen…`;
    if (entry.connection === "direct") return "Direct connection";
    if (entry.connection === "relayed") return "Relayed (TURN)";
    if (entry.connection === "failed")
      return `Failed: ${FAILURES[entry.reason] || entry.reason || "the connection could not be made"}`;
    if (entry.connection === "closed") return "Closed";
    return "Connecting…";
  }

  function endedWords({ share: ended, by, reason }) {
    const why = screenReason(reason);
    if (ended.from === "visitor") {
      if (by === "visitor" && ended.state === "requested") return `${name} declined to share their screen${why}.`;
      if (by === "visitor") return `${name} stopped sharing their screen${why}.`;
      if (by === "technician") return `You stopped viewing ${name}'s screen${why}.`;
      return `${name}'s screen is no longer shown${why}.`;
    }
    if (by === "visitor") return `${name} stopped viewing your screen${why}.`;
    return `You stopped sharing your screen${why}.`;
  }

  // --- the operator's actions ---------------------------------------------------------------

  async function ask() {
    request.disabled = true;
    problem.clear();
    note.textContent = "";
    try {
      await screens.request(chat.id);
    } catch (error) {
      problem.show(error);
    } finally {
      update();
    }
  }

  function shareMine() {
    share.disabled = true;
    problem.clear();
    note.textContent = "";
    // the picker opens in this click (the browser asks for a user gesture)
    screens
      .shareMine(chat.id)
      .catch((error) => {
        if (error.reason === "cancelled") note.textContent = "You did not pick a screen to share.";
        else if (error.reason === "unsupported") note.textContent = "This browser cannot share a screen.";
        else note.textContent = `Your screen could not be shared: ${error.message || error}`;
      })
      .finally(() => update());
  }

  async function stop(entry) {
    if (!entry) return;
    problem.clear();
    try {
      await screens.end(chat.id, entry.share.id, entry.connection === "failed" ? "failed" : "stopped");
      (request.disabled ? share : request).focus();
    } catch (error) {
      problem.show(error);
    }
  }

  // --- looking at the picture ---------------------------------------------------------------

  function setScale(value) {
    scale = value === null ? null : Math.min(MAX_SCALE, Math.max(MIN_SCALE, value));
    stage.classList.toggle("scaled", scale !== null);
    actual.textContent = scale === null ? "Actual size" : "Fit";
    if (scale === null) {
      video.style.width = "";
      video.style.height = "";
    } else {
      video.style.width = `${Math.round(video.videoWidth * scale)}px`;
      video.style.height = `${Math.round(video.videoHeight * scale)}px`;
    }
  }

  /** The whole panel goes full screen, so its tools and Stop stay at hand; Escape or the button leaves. */
  function fullScreen() {
    const leaving = document.fullscreenElement === panel;
    const done = leaving ? document.exitFullscreen() : panel.requestFullscreen?.();
    done?.catch((error) => problem.show(error));
  }

  function zoom(by) {
    const box = picture();
    const now = scale ?? (box && video.videoWidth ? box.width / video.videoWidth : 1);
    setScale(now * by);
  }

  /** Where the picture is on screen: the video element less its letterboxing (object-fit: contain). */
  function picture() {
    const box = video.getBoundingClientRect();
    if (!video.videoWidth || !video.videoHeight || !box.width || !box.height) return null;
    const ratio = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
    const width = video.videoWidth * ratio;
    const height = video.videoHeight * ratio;
    return { left: box.left + (box.width - width) / 2, top: box.top + (box.height - height) / 2, width, height };
  }

  /** The pointer's place as fractions of the picture, [x, y] (4 decimals), or null off the picture. */
  function fractions(event) {
    const box = picture();
    if (!box) return null;
    const x = (event.clientX - box.left) / box.width;
    const y = (event.clientY - box.top) / box.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) return null;
    return [Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000];
  }

  function setMode(next) {
    if (mode === "point" && next !== "point") send({ t: "hide" });
    mode = next;
    pointing.setAttribute("aria-pressed", String(mode === "point"));
    drawing.setAttribute("aria-pressed", String(mode === "draw"));
    stage.dataset.mode = mode;
  }

  function send(message) {
    screens.point(chat.id, message);
  }

  /** Pointer moves go at most once an animation frame; the last one wins. */
  function move(event) {
    if (mode === "draw" && stroke) {
      const at = fractions(event);
      if (at) stroke.points.push(at);
      stroke.path.setAttribute("d", pathOf(stroke.points));
      return;
    }
    if (mode !== "point") return;
    const at = fractions(event);
    pending = at ? { t: "move", x: at[0], y: at[1] } : { t: "hide" };
    if (!frameAsked) {
      frameAsked = requestAnimationFrame(() => {
        frameAsked = 0;
        if (pending) send(pending);
        pending = null;
      });
    }
  }

  function leave() {
    if (mode !== "point") return;
    pending = null;
    send({ t: "hide" });
  }

  function down(event) {
    if (mode !== "draw") return;
    const at = fractions(event);
    if (!at) return;
    event.preventDefault();
    video.setPointerCapture?.(event.pointerId);
    placeMarks();
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    marks.append(path);
    stroke = { points: [at], path };
  }

  function up() {
    if (!stroke) return;
    const { points, path } = stroke;
    stroke = null;
    path.setAttribute("d", pathOf(points));
    send({ t: "mark", points });
    setTimeout(() => path.remove(), MARK_SECONDS * 1000);
  }

  /** The marks' layer lies on the picture (inside the frame), so a mark shows where it was drawn. */
  function placeMarks() {
    const box = picture();
    const outer = frame.getBoundingClientRect();
    if (!box) return;
    Object.assign(marks.style, {
      left: `${box.left - outer.left}px`,
      top: `${box.top - outer.top}px`,
      width: `${box.width}px`,
      height: `${box.height}px`,
    });
  }

  video.addEventListener("pointermove", move);
  video.addEventListener("pointerleave", leave);
  video.addEventListener("pointerdown", down);
  video.addEventListener("pointerup", up);
  video.addEventListener("pointercancel", up);
  panel.addEventListener("fullscreenchange", () => {
    full.textContent = document.fullscreenElement === panel ? "Exit full screen" : "Full screen";
  });
  video.addEventListener("resize", () => {
    if (scale !== null) setScale(scale);
  });

  return { buttons, controls: [controls, note], problem: problem.node, panel, update };
}

function pathOf(points) {
  return points.map(([x, y], index) => `${index ? "L" : "M"}${x} ${y}`).join(" ");
}
