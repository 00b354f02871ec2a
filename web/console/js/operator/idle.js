// Auto-away (admin setting me.console.auto_away_minutes, 0: off): an Online operator who has not
// moved the pointer or pressed a key on the console for that long is set away for idleness
// (presence.set {status: "away", auto: true}); their next activity brings them back Online.
// An away the operator chose themselves is never undone here. It watches until `signal` aborts.

import { reportError } from "../errors.js";

const ACTIVITY = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"];
const CHECK_EVERY_MS = 10000;

export function watchIdle({ minutes, presence, signal }) {
  if (!(minutes > 0)) return;
  const idleMs = minutes * 60000;
  let lastActivity = Date.now();
  let changing = false;

  async function change(body) {
    if (changing) return;
    changing = true;
    try {
      await presence.set(body);
    } catch (error) {
      reportError(error);
    } finally {
      changing = false;
    }
  }

  let pointer = "";
  function active(event) {
    if (event.type === "pointermove") {
      // Browsers also send a move when the page changes under a still pointer: not activity.
      // The first move seen only tells where the pointer is.
      const at = `${event.screenX},${event.screenY}`;
      const first = !pointer;
      if (at === pointer) return;
      pointer = at;
      if (first) return;
    }
    lastActivity = Date.now();
    if (presence.state?.auto_away) change({ status: "online" });
  }

  function check() {
    if (presence.online && Date.now() - lastActivity >= idleMs) change({ status: "away", auto: true });
  }

  for (const event of ACTIVITY) window.addEventListener(event, active, { capture: true, passive: true, signal });
  const timer = setInterval(check, CHECK_EVERY_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}
