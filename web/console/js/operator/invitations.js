// The invitations panel: links that connect a visitor straight to this operator. Create one (a
// label and the language its page speaks), copy it, invalidate it; the list shows each link's
// state, kept current as visitors arrive (invitation.accepted) and after every reconnect.
// Links an integration made with an API key are reusable, and marked so.

import { Latest } from "../api.js";
import { confirmAction } from "../dialogs.js";
import { dateTime, field, h, languageName, languageSelect, replace, toast } from "../dom.js";
import { busy, ErrorMessage } from "../errors.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { copyAndSay } from "./panels.js";

const STATES = {
  unused: { text: "Not used yet", kind: "info" },
  used: { text: "Used", kind: "ok" },
  invalidated: { text: "Invalidated", kind: "danger" },
  reusable: { text: "Reusable", kind: "info" },
};
const OPEN_STATES = new Set(["unused", "reusable"]);
const COLUMNS = ["Label", "State", "Created", "Language", "Actions"];

export const invitationsView = {
  id: "invitations",
  title: "Invitations",
  group: "Support",
  roles: ["technician", "admin"],
  mount(root, ctx) {
    const panel = new InvitationsPanel(root, ctx);
    return () => panel.stop();
  },
};

class InvitationsPanel {
  constructor(root, ctx) {
    this.ctx = ctx;
    this.invitations = []; // newest first, as the API lists them
    this.loads = new Latest(); // the refreshes; a link made here makes those asked before it stale
    this.build(root);
    this.mounted = new AbortController();
    const { signal } = this.mounted;
    // a visitor arrived: their link is used now
    ctx.socket.addEventListener("invitation.accepted", () => this.refresh(), { signal });
    ctx.socket.addEventListener("open", () => this.refresh(), { signal });
    this.refresh();
  }

  stop() {
    this.mounted.abort();
  }

  build(root) {
    const languages = this.ctx.config.languages;
    this.summary = h("p", { class: "muted", role: "status" });
    this.label = h("input", { type: "text", name: "label", maxLength: 80, autocomplete: "off" });
    this.language = languageSelect(languages, languages[0], { name: "language" });
    this.create = h("button", { type: "submit", class: "primary" }, "Create link");
    this.formError = new ErrorMessage();
    const form = h(
      "form",
      { class: "card", "aria-labelledby": "new-invitation-title", on: { submit: (event) => this.submit(event) } },
      h("h2", { id: "new-invitation-title" }, "New invitation link"),
      h("p", { class: "muted" }, "A link that brings one visitor straight to you: it works once, and does not expire."),
      h(
        "div",
        { class: "row" },
        field("Label", this.label, "Optional: who the link is for."),
        field("Language", this.language, "What the invitation page speaks to the visitor."),
        h("div", { class: "field" }, this.create),
      ),
      this.formError.node,
    );
    this.list = new KeyedTable({
      caption: "Your invitation links",
      columns: COLUMNS,
      className: "invitations",
      empty: "No invitation links yet.",
      key: (invitation) => invitation.token,
      item: (invitation) => this.row(invitation),
      on: {
        click: {
          copy: (invitation) => copyAndSay(invitation.url, "Invitation link"),
          invalidate: (invitation, button) => this.invalidate(button, invitation),
        },
      },
    });
    replace(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Invitations"), this.summary),
      form,
      h(
        "section",
        { class: "card", "aria-labelledby": "invitations-title" },
        h("h2", { id: "invitations-title" }, "Your links"),
        this.list.node,
      ),
    );
  }

  async refresh() {
    const latest = this.loads.next();
    try {
      const invitations = await this.ctx.api.get("/api/invitations");
      if (!latest()) return;
      this.invitations = invitations;
      this.render();
      this.list.problem.clear();
    } catch (error) {
      this.list.fail(error, "The invitations could not be loaded");
    }
  }

  async submit(event) {
    event.preventDefault();
    await busy(this.create, this.formError, async () => {
      const body = { label: this.label.value.trim(), language: this.language.value };
      const invitation = await this.ctx.api.post("/api/invitations", body);
      this.loads.next(); // a list asked for before this answer would not hold the new link
      this.invitations = [invitation, ...this.invitations.filter((known) => known.token !== invitation.token)];
      this.label.value = "";
      this.render();
      toast(`Invitation link created${invitation.label ? ` for ${invitation.label}` : ""}.`, "ok");
    });
    this.label.focus();
  }

  render() {
    const open = this.invitations.filter((invitation) => OPEN_STATES.has(invitation.state)).length;
    this.summary.textContent = `${open} open of ${this.invitations.length} links`;
    this.list.render(this.invitations);
  }

  row(invitation) {
    const state = STATES[invitation.state] || { text: invitation.state, kind: "" };
    const title = invitation.label || "Unlabelled link";
    const fromKey = invitation.created_via.startsWith("api:");
    const actions = OPEN_STATES.has(invitation.state)
      ? [
          rowButton("Copy link", `Copy link: ${title}`, "copy"),
          rowButton("Invalidate", `Invalidate: ${title}`, "invalidate", "danger"),
        ]
      : [];
    const made = `${fromKey ? "Made by an API key; works" : "Works"} for any number of visitors.`;
    return h(
      "tr",
      {},
      h(
        "td",
        {},
        invitation.label || h("span", { class: "muted" }, "Unlabelled"),
        invitation.reusable ? h("small", { class: "muted note" }, made) : null,
      ),
      h("td", {}, h("span", { class: ["badge", state.kind] }, state.text), this.stateDetail(invitation)),
      h("td", {}, when(invitation.created_at)),
      h("td", {}, languageName(invitation.language)),
      h("td", {}, h("div", { class: "actions" }, actions)),
    );
  }

  /** When it was invalidated or used, or how often a reusable link was. */
  stateDetail({ state, reusable, use_count: uses, invalidated_at: invalidated, last_used_at: used }) {
    const note = (...parts) => h("small", { class: "muted note" }, ...parts);
    if (state === "invalidated" && invalidated) return note("since ", when(invalidated));
    if (reusable) return note(`used ${uses} ${uses === 1 ? "time" : "times"}`);
    if (state === "used" && used) return note(when(used));
    return null;
  }

  async invalidate(button, invitation) {
    const title = invitation.label || "this link";
    const sure = await confirmAction({
      title: "Invalidate the link?",
      message: `The link for ${title} will stop working at once; visitors who open it are told it is no longer valid.`,
      confirm: "Invalidate",
      cancel: "Keep",
    });
    if (!sure) return;
    await busy(button, this.list.problem, async () => {
      const changed = await this.ctx.api.del(`/api/invitations/${encodeURIComponent(invitation.token)}`);
      this.invitations = this.invitations.map((known) => (known.token === changed.token ? changed : known));
      this.render();
      toast(`Invalidated the link for ${title}.`);
    });
  }
}

/** A <time> for epoch seconds: "14 Nov, 14:05", the full moment in its datetime. */
function when(seconds) {
  const moment = new Date(seconds * 1000);
  return h("time", { dateTime: moment.toISOString() }, dateTime(seconds * 1000));
}
