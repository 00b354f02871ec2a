/* Deskless chat widget: one script tag puts a portal's chat on any website.

     <script src="https://<portal>/widget.js" async></script>

   It adds one iframe, bottom right, showing <portal>/widget?origin=<this website>; the portal
   serves that page only to websites on its list, and only they may frame it. Everything runs
   inside the frame, on the portal's origin: this script never reads the page, and the page
   cannot reach into the frame. The frame tells this script, by postMessage, how big to be
   (a launcher, an open panel, or nothing); messages from anywhere else are ignored. The frame
   may capture a screen (allow="display-capture"): in a support session the technician may ask
   to see the customer's, and the browser asks the customer what to share, if anything.
   Optional: data-lang="de" on the script tag picks the chat's language. */
(() => {
  "use strict";

  const script = document.currentScript;
  if (!script?.src || document.querySelector("iframe[data-deskless-widget]")) return;
  const portal = new URL(script.src).origin;
  const TITLE = "__DESKLESS_WIDGET_TITLE__";
  const PANEL = { width: 400, height: 640 }; // at most; less on a small screen

  const frame = document.createElement("iframe");
  let source = `${portal}/widget?origin=${encodeURIComponent(location.origin)}`;
  if (script.dataset.lang) source += `&lang=${encodeURIComponent(script.dataset.lang)}`;
  frame.src = source;
  frame.title = TITLE;
  frame.referrerPolicy = "no-referrer";
  frame.allow = "display-capture"; // the chat may share the customer's screen, if they agree
  frame.dataset.desklessWidget = "";
  Object.assign(frame.style, {
    position: "fixed",
    right: "0",
    bottom: "0",
    width: "320px",
    height: "96px",
    maxWidth: "100vw",
    maxHeight: "100vh",
    margin: "0",
    padding: "0",
    border: "0",
    background: "transparent",
    colorScheme: "light", // the frame's own: a mismatch would paint it opaque
    zIndex: "2147483000",
    visibility: "hidden", // until the portal says what to show
    pointerEvents: "none",
  });

  let mode = "hidden"; // hidden | launcher | open
  let launcher = { width: 0, height: 0 };

  const clamp = (value, low, high) => Math.min(high, Math.max(low, Number(value) || 0));

  function place() {
    const shown = mode !== "hidden";
    const size =
      mode === "open"
        ? { width: Math.min(PANEL.width, window.innerWidth), height: Math.min(PANEL.height, window.innerHeight) }
        : launcher;
    if (shown) {
      frame.style.width = `${size.width}px`;
      frame.style.height = `${size.height}px`;
    }
    frame.style.visibility = shown ? "visible" : "hidden";
    frame.style.pointerEvents = shown ? "auto" : "none";
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== portal || event.source !== frame.contentWindow) return;
    const message = event.data;
    if (message?.deskless !== "widget") return;
    if (message.type === "launcher") {
      launcher = { width: clamp(message.width, 48, 480), height: clamp(message.height, 48, 160) };
      mode = "launcher";
    } else if (message.type === "open" || message.type === "hidden") {
      mode = message.type;
    } else {
      return;
    }
    place();
  });
  window.addEventListener("resize", () => {
    if (mode === "open") place();
  });

  const attach = () => document.body.appendChild(frame);
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach);
})();
