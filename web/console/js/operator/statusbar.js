// The operator's controls in the top bar: status (Online / Away with a reason / Away (idle)),
// the switches of the channels assigned to them (read-only while the admin locks them), the
// phone handset indicator, and the notification settings. They stay until `signal` aborts.

import { h, replace, toast, uid } from "../dom.js";
import { ErrorMessage, reportError } from "../errors.js";
import { allowBrowserNotifications } from "./notifier.js";
import { CHANNELS, phoneProblem, statusText } from "./presence.js";

const SVG = "http://www.w3.org/2000/svg";
const HANDSET =
  "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 " +
  "1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z";
const NOTIFY_METHODS = [
  { id: "sound", label: "Sound" },
  { id: "browser", label: "Browser notifications" },
  { id: "email", label: "Email me about chat requests" },
];

/** Mount the controls into `slot`, until `signal` aborts. */
export function mountStatusBar(slot, { presence, socket, me, notifier, signal }) {
  const reasons = me.console?.away_reasons || [];
  const status = h("select", { id: uid("status"), disabled: true, on: { change: () => changeStatus() } });
  const dot = h("span", { class: "status-dot", "aria-hidden": "true" });
  const lockNote = h(
    "small",
    { class: "lock-note", id: uid("lock"), hidden: true },
    "Your administrator has locked channels",
  );
  const channels = h("div", {
    class: "channels",
    role: "group",
    "aria-label": "Channels",
    on: { change: (event) => switchChannel(event.target) },
  });
  const phone = h("span", { class: "phone", role: "img" }, handsetIcon());
  const settings = notificationSettings({ presence, notifier, signal });
  let channelShape = "";

  replace(
    slot,
    h("div", { class: "status-control" }, dot, h("label", { for: status.id }, "Status"), status),
    h("div", { class: "channel-control" }, channels, lockNote),
    phone,
    settings.node,
  );

  async function changeStatus() {
    const [kind, ...rest] = status.value.split(":");
    const change = kind === "online" ? { status: "online" } : { status: "away", reason: rest.join(":") };
    status.disabled = true;
    try {
      await presence.set(change);
      const now = statusText(presence.state);
      toast(`You are ${now[0].toLowerCase()}${now.slice(1)}.`, "ok");
    } catch (error) {
      reportError(error);
    } finally {
      render();
    }
  }

  async function switchChannel(input) {
    input.disabled = true;
    try {
      await presence.set({ channels: { [input.dataset.channel]: input.checked } });
    } catch (error) {
      reportError(error);
    } finally {
      render();
    }
  }

  function renderStatus(state) {
    const options = [
      ["online", "Online"],
      ["away:", "Away"],
      ...reasons.map((reason) => [`away:${reason}`, `Away — ${reason}`]),
    ];
    const value = !state
      ? ""
      : state.status === "online"
        ? "online"
        : state.auto_away
          ? "auto"
          : `away:${state.reason}`;
    if (state?.auto_away) options.push(["auto", "Away (idle)"]);
    else if (state && value !== "online" && !options.some(([known]) => known === value))
      options.push([value, statusText(state)]);
    if (!state) options.unshift(["", "Connecting…"]);
    const shape = options.map(([key, label]) => `${key}=${label}`).join("|");
    if (status.dataset.shape !== shape) {
      replace(
        status,
        options.map(([key, label]) => h("option", { value: key }, label)),
      );
      status.dataset.shape = shape;
    }
    status.value = value;
    status.disabled = !state;
    dot.dataset.status = state ? (state.status === "online" ? "online" : "away") : "unknown";
  }

  function renderChannels(state) {
    const assigned = state ? CHANNELS.filter((channel) => state.assigned.includes(channel.id)) : [];
    const shape = `${assigned.map((c) => c.id).join(",")}|${state?.locked}`;
    if (shape !== channelShape) {
      channelShape = shape;
      replace(
        channels,
        assigned.map(({ id, label }) => {
          const input = h("input", { type: "checkbox", role: "switch", dataset: { channel: id } });
          if (state.locked) input.setAttribute("aria-describedby", lockNote.id);
          return h("label", { class: "switch" }, input, label);
        }),
      );
    }
    for (const input of channels.querySelectorAll("input")) {
      input.checked = Boolean(state.channels[input.dataset.channel]);
      input.disabled = state.locked;
    }
    lockNote.hidden = !state?.locked;
    channels.hidden = !assigned.length;
  }

  function renderPhone(state) {
    const problem = phoneProblem(state, socket.state === "open");
    const label = problem ? `Phone unavailable: ${problem}` : "Phone line available";
    phone.classList.toggle("on", !problem);
    phone.setAttribute("aria-label", label);
    phone.title = label;
  }

  function render() {
    const state = presence.state;
    renderStatus(state);
    renderChannels(state);
    renderPhone(state);
    settings.render();
  }

  presence.addEventListener("change", render, { signal });
  socket.addEventListener("state", render, { signal });
  signal.addEventListener("abort", () => slot.replaceChildren());
  render();
}

function handsetIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", HANDSET);
  svg.append(path);
  return svg;
}

/** The "Notifications" button and its panel: one switch per method. */
function notificationSettings({ presence, notifier, signal }) {
  const panelId = uid("notify");
  const toggle = h(
    "button",
    { type: "button", class: "ghost", "aria-expanded": "false", "aria-controls": panelId },
    "Notifications",
  );
  const hint = h("p", { class: "hint" });
  const problem = new ErrorMessage();
  const inputs = NOTIFY_METHODS.map(({ id }) =>
    h("input", { type: "checkbox", role: "switch", dataset: { method: id } }),
  );
  const panel = h(
    "div",
    { class: "popover", id: panelId, role: "group", "aria-label": "Notification settings", hidden: true },
    h("h2", {}, "Notify me"),
    NOTIFY_METHODS.map(({ label }, index) => h("label", { class: "switch" }, inputs[index], label)),
    hint,
    problem.node,
    h("button", { type: "button", class: "small", on: { click: () => tryTheSound() } }, "Play a test sound"),
  );
  const node = h("div", { class: "notify-control" }, toggle, panel);

  function open(wanted) {
    panel.hidden = !wanted;
    toggle.setAttribute("aria-expanded", String(wanted));
    if (wanted) render();
  }

  function tryTheSound() {
    if (notifier.testSound()) problem.clear();
    else problem.show("Your browser has not allowed sound on this page yet; click once more.");
    render();
  }

  async function change(input) {
    const method = input.dataset.method;
    let wanted = input.checked;
    input.disabled = true;
    problem.clear();
    try {
      if (method === "browser" && wanted && !(await allowBrowserNotifications())) {
        wanted = false;
        problem.show("Your browser blocks notifications from this site; allow them in its site settings.");
      }
      await presence.set({ notify: { [method]: wanted } });
    } catch (error) {
      problem.show(error);
    } finally {
      input.disabled = false;
      render();
    }
  }

  function render() {
    const notify = presence.state?.notify;
    inputs.forEach((input) => {
      input.checked = Boolean(notify?.[input.dataset.method]);
      input.disabled = !notify;
    });
    const blocked = "Notification" in window && Notification.permission === "denied";
    hint.textContent = blocked
      ? "This browser blocks notifications from the console; allow them in its site settings."
      : notify?.sound && !notifier.soundReady
        ? "Sound starts once you have clicked or typed in the console (browsers require it)."
        : "Alerts repeat until you look at the console.";
  }

  panel.addEventListener("change", (event) => change(event.target));
  toggle.addEventListener("click", () => open(panel.hidden));
  const closeOnEscape = (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      open(false);
      toggle.focus();
    }
  };
  const closeOutside = (event) => {
    if (!panel.hidden && !node.contains(event.target)) open(false);
  };
  document.addEventListener("keydown", closeOnEscape, { signal });
  document.addEventListener("pointerdown", closeOutside, { signal });
  return { node, render };
}
