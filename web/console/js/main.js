// The console's shell: configuration, sign-in (kept across reloads), the WebSocket, the
// navigation between views, sign-out. Views come from operator/, helpdesk/ and admin/; each is
//   {id, title, group, roles, mount(root, ctx, rest) -> optional unmount function}
// where `rest` is what the address says after the view's id ("1001" in #/tickets/1001), or "".
// and ctx = {config, api, socket, me, refreshMe, signOut, slots}. operator/index.js also
// starts what lives as long as the sign-in (presence, queue, chats, notifications).

import { adminViews } from "./admin/index.js";
import { Api, ApiError, loadConfig } from "./api.js";
import { field, h, replace, toast } from "./dom.js";
import { ErrorMessage, explain } from "./errors.js";
import { helpdeskViews } from "./helpdesk/index.js";
import { operatorViews, startOperator } from "./operator/index.js";
import { Socket } from "./socket.js";

const STORAGE_KEY = "deskless.console.session";
const app = document.getElementById("app");

function storedSession() {
  try {
    const session = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    return session && session.expires_at * 1000 > Date.now() ? session : null;
  } catch {
    return null;
  }
}

async function boot() {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    const problem = new ErrorMessage();
    problem.show(error);
    replace(app, h("main", { class: "centered" }, problem.node));
    return;
  }
  const session = storedSession();
  if (session) await start(config, session, { fresh: false });
  else showLogin(config);
}

function showLogin(config, notice = "") {
  document.title = "Sign in · Deskless console";
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const problem = new ErrorMessage();
  if (notice) problem.show(notice);
  const submit = h("button", { type: "submit", class: "primary wide" }, "Sign in");
  const form = h(
    "form",
    { class: "card login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "Deskless"),
    h("p", { class: "muted" }, "Sign in to the operator console."),
    field("Email", email),
    field("Password", password),
    problem.node,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    problem.clear();
    try {
      const answer = await new Api(null).post("/api/auth/login", { email: email.value, password: password.value });
      const session = { token: answer.token, expires_at: answer.expires_at };
      localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
      await start(config, session, { fresh: true });
    } catch (error) {
      problem.show(error);
      submit.disabled = false;
      password.select();
    }
  });
  replace(app, h("main", { class: "centered" }, form));
  email.focus();
}

async function start(config, session, { fresh }) {
  const signedIn = new AbortController(); // aborted at sign-out: what listens as long as the sign-in stops
  const { signal } = signedIn;
  let stopOperator = () => {};
  let unmount = null; // the view on screen's
  const socket = new Socket(config.websocket_url, session.token);
  const signOut = (notice = "") => {
    if (signal.aborted) return;
    signedIn.abort();
    localStorage.removeItem(STORAGE_KEY);
    if (typeof unmount === "function") unmount();
    stopOperator();
    socket.close();
    showLogin(config, notice);
  };
  const api = new Api(session.token, () => signOut("Your session has ended; sign in again."));
  let me;
  try {
    me = await api.get("/api/me");
  } catch (error) {
    if (!signal.aborted) signOut(error instanceof ApiError && error.status ? explain(error) : "");
    return;
  }
  const slots = {};
  const ctx = {
    config,
    api,
    socket,
    me,
    fresh, // true right after signing in (not after a reload): the operator starts Online
    slots,
    signOut,
    async refreshMe() {
      ctx.me = await api.get("/api/me");
      return ctx.me;
    },
  };
  socket.addEventListener("unauthorized", () => signOut("Your session has ended; sign in again."), { signal });
  // a refused token signs out through api
  socket.addEventListener("refused", () => api.get("/api/me").catch(() => {}), { signal });
  const views = [...operatorViews, ...helpdeskViews, ...adminViews].filter((view) => view.roles.includes(me.role));
  const outlet = h("main", { id: "main", class: "view", tabindex: "-1" });
  slots.status = h("div", { class: "status-slot" });
  const connection = h("span", { class: "connection", role: "status" });
  const showState = ({ detail: state }) => {
    connection.textContent = state === "open" ? "" : state === "connecting" ? "Connecting…" : "Offline — reconnecting";
    connection.dataset.state = state;
  };
  socket.addEventListener("state", showState, { signal });
  const nav = h(
    "nav",
    { "aria-label": "Console" },
    ...groupsOf(views).map(([group, members]) =>
      h(
        "div",
        { class: "nav-group" },
        h("h2", { class: "nav-title" }, group),
        h(
          "ul",
          {},
          members.map((view) => h("li", {}, h("a", { href: `#/${view.id}`, dataset: { view: view.id } }, view.title))),
        ),
      ),
    ),
  );
  const header = h(
    "header",
    { class: "topbar" },
    h(
      "a",
      {
        class: "skip",
        href: "#main",
        on: {
          click: (e) => {
            e.preventDefault();
            outlet.focus();
          },
        },
      },
      "Skip to content",
    ),
    h("div", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "Deskless"),
    slots.status,
    connection,
    h(
      "div",
      { class: "user" },
      h("span", { class: "user-name" }, me.name, h("small", { class: "muted" }, ` · ${me.role}`)),
      h("button", { type: "button", class: "ghost", on: { click: () => signOut() } }, "Sign out"),
    ),
  );
  // Notices sit under the navigation, in a place of their own: they never cover a control.
  const notices = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
  replace(app, h("div", { class: "shell" }, header, h("div", { class: "sidebar" }, nav, notices), outlet));
  stopOperator = startOperator(ctx) || (() => {});
  socket.connect();

  function route() {
    const [wanted, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
    const view = views.find((candidate) => candidate.id === wanted) || views[0];
    if (!view) return;
    if (typeof unmount === "function") unmount();
    for (const link of nav.querySelectorAll("a")) {
      if (link.dataset.view === view.id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${view.title} · Deskless console`;
    outlet.replaceChildren();
    unmount = view.mount(outlet, ctx, view.id === wanted ? decodeURIComponent(rest.join("/")) : "");
  }
  window.addEventListener("hashchange", route, { signal });
  route();
  if (fresh) toast(`Signed in as ${me.name}.`);
}

function groupsOf(views) {
  const groups = new Map();
  for (const view of views) {
    if (!groups.has(view.group)) groups.set(view.group, []);
    groups.get(view.group).push(view);
  }
  return [...groups];
}

boot();
