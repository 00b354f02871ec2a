// The session codes panel: create a code (a name and a portal), the active codes with a live
// countdown, copy the join URL or the invitation text, send it by email, cancel it. Codes
// leave the list as they are redeemed or expire (pushed on the socket, or when the countdown
// reaches zero here). Opening the chat of a redeemed code is the desk's (index.js), not this view's.

import { Form } from "../admin/ui.js";
import { Latest } from "../api.js";
import { confirmAction, formDialog } from "../dialogs.js";
import { countdown, field, h, languageName, languageSelect, replace, toast } from "../dom.js";
import { busy, ErrorMessage, explain } from "../errors.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { copyAndSay, remembered } from "./panels.js";

const LAST_PORTAL = "deskless.console.portal";
const WARN_SECONDS = 60;
const COLUMNS = ["Code", "Name", "Portal", "Expires in", "Actions"];

/** "123 456 789": a code as people read it out. */
export function readable(code) {
  return code.replace(/(\d{3})(?=\d)/g, "$1 ");
}

export const codesView = {
  id: "codes",
  title: "Session codes",
  group: "Support",
  roles: ["technician", "admin"],
  mount(root, ctx) {
    const panel = new CodesPanel(root, ctx);
    return () => panel.stop();
  },
};

class CodesPanel {
  constructor(root, ctx) {
    this.ctx = ctx;
    this.codes = new Map(); // digits -> {code, name, portal, join_url, deadline, language, sentTo}
    this.reported = new Set(); // digits whose leaving was said already (pushes may come twice)
    this.portals = new Map(); // subdomain -> {subdomain, company, language}, active portals only
    this.portalsLoaded = false;
    this.loads = new Latest(); // the refreshes; a code made here makes those asked before it stale
    this.build(root);
    this.mounted = new AbortController();
    const { signal } = this.mounted;
    const redeemed = ({ detail: pushed }) => {
      const visitor = pushed.session?.visitor_name || "a customer";
      this.leave(pushed.code, `${this.nameOf(pushed)}: ${visitor} joined`, "ok");
    };
    ctx.socket.addEventListener("code.redeemed", redeemed, { signal });
    const expired = ({ detail: pushed }) => this.leave(pushed.code, `${this.nameOf(pushed)} expired`);
    ctx.socket.addEventListener("code.expired", expired, { signal });
    ctx.socket.addEventListener("open", () => this.refresh(), { signal });
    this.ticker = setInterval(() => this.tick(), 1000);
    this.loadPortals();
    this.refresh();
  }

  stop() {
    clearInterval(this.ticker);
    this.mounted.abort();
  }

  build(root) {
    this.languages = this.ctx.config.languages;
    this.summary = h("p", { class: "muted", role: "status" });
    this.name = h("input", { type: "text", name: "name", maxLength: 80, required: true, autocomplete: "off" });
    this.portal = h("select", { name: "portal", required: true });
    this.create = h("button", { type: "submit", class: "primary" }, "Create code");
    this.limitNotice = h("p", { class: "notice", id: "code-limit-notice", hidden: true });
    this.formError = new ErrorMessage();
    this.create.setAttribute("aria-describedby", this.limitNotice.id);
    const form = h(
      "form",
      { class: "card", "aria-labelledby": "new-code-title", on: { submit: (event) => this.submit(event) } },
      h("h2", { id: "new-code-title" }, "New code"),
      h(
        "div",
        { class: "row" },
        field("Name", this.name, "Who the code is for, e.g. the customer's name."),
        field("Portal", this.portal, "Where the customer joins."),
        h("div", { class: "field" }, this.create),
      ),
      this.limitNotice,
      this.formError.node,
    );
    // The rows' controls act on the code as it is held here (a row shows a copy of it).
    const held = (act) => (shown, control) => act(this.codes.get(shown.code), control);
    this.list = new KeyedTable({
      caption: "Active session codes",
      columns: COLUMNS,
      className: "codes",
      empty: "No active codes. Each stays here until it is used, cancelled or expires.",
      key: (code) => code.code,
      item: (code) => this.row(code),
      on: {
        click: {
          "copy-url": held((code) => copyAndSay(code.join_url, "Join URL")),
          "copy-info": held((code, button) => this.copyInfo(button, code)),
          email: held((code) => this.email(code)),
          cancel: held((code, button) => this.cancel(button, code)),
        },
        change: {
          language: held((code, select) => {
            code.language = select.value;
          }),
        },
      },
    });
    replace(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Session codes"), this.summary),
      form,
      h(
        "section",
        { class: "card", "aria-labelledby": "active-codes-title" },
        h("h2", { id: "active-codes-title" }, "Active codes"),
        this.list.node,
      ),
    );
    this.renderPortals();
    this.renderLimit();
  }

  // --- what the server holds ---------------------------------------------------------------

  /** The active codes and the caller's limit, again: on mount and after every reconnect. */
  async refresh() {
    const latest = this.loads.next();
    try {
      const [codes] = await Promise.all([this.ctx.api.get("/api/codes"), this.ctx.refreshMe()]);
      if (!latest()) return; // a newer refresh has answered or will, or a code was made since
      const before = this.codes;
      this.codes = new Map();
      for (const code of codes) {
        if (code.seconds_left <= 0 || this.reported.has(code.code)) continue;
        this.add(code, before.get(code.code));
      }
      this.list.problem.clear();
    } catch (error) {
      this.list.fail(error, "The codes could not be loaded");
    }
    this.render();
  }

  /** The active portals a code can be made for (GET /api/companies: every company, with its portal). */
  async loadPortals() {
    let companies;
    try {
      companies = await this.ctx.api.get("/api/companies");
    } catch (error) {
      this.formError.show(error, "The portals could not be loaded");
      return;
    }
    this.portalsLoaded = true;
    this.portals = new Map(
      companies
        .filter((company) => company.portal?.status === "active")
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(({ name, portal: { subdomain, language } }) => [subdomain, { subdomain, company: name, language }]),
    );
    this.renderPortals();
    this.render(); // the rows' languages follow their portal's
  }

  /** Keep a code from the API; what was chosen for it here before (language, where it was sent) stays. */
  add(code, previous = undefined) {
    this.codes.set(code.code, {
      code: code.code,
      name: code.name,
      portal: code.portal,
      join_url: code.join_url,
      deadline: performance.now() + code.seconds_left * 1000, // the server's count, not this clock
      language: previous?.language || "", // "" until chosen: the portal's language
      sentTo: previous?.sentTo || "",
    });
  }

  // --- the form ------------------------------------------------------------------------------

  async submit(event) {
    event.preventDefault();
    const name = this.name.value.trim();
    if (!name) {
      this.formError.show("Give the code a name, e.g. the customer's.");
      this.name.focus();
      return;
    }
    this.formError.clear();
    this.create.disabled = true;
    try {
      const code = await this.ctx.api.post("/api/codes", { name, portal: this.portal.value });
      remembered.set(LAST_PORTAL, this.portal.value);
      this.reported.delete(code.code);
      this.loads.next(); // a list asked for before this answer would not hold the new code
      this.add(code);
      this.name.value = "";
      toast(`Code ${readable(code.code)} created for ${code.name}.`, "ok");
    } catch (error) {
      this.formError.show(error);
      if (error.code === "code_limit_reached") await this.refresh();
      if (error.code === "unknown_portal" || error.code === "portal_inactive") await this.loadPortals();
    }
    this.render();
    this.name.focus();
  }

  // --- rendering -----------------------------------------------------------------------------

  renderPortals() {
    const wanted = this.portal.value || remembered.get(LAST_PORTAL);
    const options = [...this.portals.values()].map(({ subdomain, company }) =>
      h("option", { value: subdomain, selected: subdomain === wanted }, `${company} (${subdomain})`),
    );
    replace(this.portal, options);
    this.portal.disabled = this.portals.size === 0;
  }

  render() {
    const codes = [...this.codes.values()].sort((a, b) => a.deadline - b.deadline);
    // A row shows no deadline (tick() counts down in place), so a refresh redraws only rows that changed.
    this.list.render(codes.map(({ deadline, ...code }) => ({ ...code, language: this.languageOf(code) })));
    this.renderLimit();
    this.tick();
  }

  renderLimit() {
    const held = this.codes.size;
    const limit = this.ctx.me.code_limit;
    const full = typeof limit === "number" && held >= limit;
    const noPortal = this.portalsLoaded && this.portals.size === 0;
    this.summary.textContent = typeof limit === "number" ? `${held} of ${limit} codes` : `${held} codes`;
    this.limitNotice.hidden = !full && !noPortal;
    if (full) {
      this.limitNotice.textContent =
        `You hold ${held} of ${limit} active codes, the most you may have at once. ` +
        "Cancel one, or wait until one is used or expires, to create another.";
    } else if (noPortal) {
      this.limitNotice.textContent = "There is no active portal to make a code for; an admin can create one.";
    }
    this.create.disabled = full || this.portals.size === 0;
  }

  /** The language a code's info and email are written in: chosen here, else its portal's. */
  languageOf(code) {
    return code.language || this.portals.get(code.portal)?.language || this.languages[0];
  }

  /** A code's row, from what it shows (the code, with the language its info is in). */
  row(code) {
    const language = languageSelect(this.languages, code.language, {
      class: "compact",
      "aria-label": `Language of the info for ${code.name}`,
      dataset: { action: "language" },
    });
    const copyInfo = rowButton("Copy info", `Copy info for ${code.name}`, "copy-info");
    const sent = code.sentTo ? h("small", { class: "muted sent" }, `Sent to ${code.sentTo}`) : null;
    return h(
      "tr",
      {},
      h("td", {}, h("span", { class: "code-digits" }, readable(code.code))),
      h("td", {}, code.name, sent),
      h("td", {}, code.portal),
      h("td", {}, h("span", { class: "countdown", role: "timer" })),
      h(
        "td",
        {},
        h(
          "div",
          { class: "actions" },
          rowButton("Copy URL", `Copy URL of ${code.name}`, "copy-url"),
          h("span", { class: "joined" }, language, copyInfo),
          rowButton("Send by email", `Send by email: ${code.name}`, "email"),
          rowButton("Cancel", `Cancel the code of ${code.name}`, "cancel", "danger"),
        ),
      ),
    );
  }

  /** Once a second: every countdown, and codes whose time is up leave the list. */
  tick() {
    const now = performance.now();
    const expired = [];
    for (const code of this.codes.values()) {
      const left = (code.deadline - now) / 1000;
      const timer = this.list.row(code.code)?.querySelector(".countdown");
      if (left <= 0) expired.push(code);
      else if (timer) {
        timer.textContent = countdown(Math.ceil(left));
        timer.classList.toggle("warn", left < WARN_SECONDS);
      }
    }
    for (const code of expired) this.leave(code.code, `${code.name} expired`);
  }

  // --- a code leaves, or is acted on ---------------------------------------------------------

  nameOf(event) {
    return event.name || this.codes.get(event.code)?.name || `Code ${readable(event.code || "")}`;
  }

  /** A code was redeemed or expired: out of the list, and said once. */
  leave(digits, message, kind = "info") {
    if (!this.reported.has(digits)) toast(message, kind);
    this.reported.add(digits);
    if (this.codes.delete(digits)) this.render();
  }

  async copyInfo(button, code) {
    await busy(button, this.list.problem, async () => {
      try {
        const language = encodeURIComponent(this.languageOf(code));
        const invitation = await this.ctx.api.get(`/api/codes/${code.code}/invitation?language=${language}`);
        await copyAndSay(invitation.text, `Invitation text (${languageName(invitation.language)})`);
      } catch (error) {
        this.goneIfMissing(error, code);
        throw error;
      }
    });
  }

  async email(code) {
    const to = h("input", { type: "email", name: "to", required: true, autocomplete: "email" });
    const language = languageSelect(this.languages, this.languageOf(code), { name: "language" });
    const sent = await formDialog({
      title: "Send the code by email",
      form: new Form({ noValidate: false }), // the browser checks the address first
      fields: [
        h("p", { class: "muted" }, `The invitation to join with code ${readable(code.code)} (${code.name}).`),
        field("Email address", to),
        field("Language", language),
      ],
      submit: "Send",
      cancel: "Close",
      focus: to,
      save: async () => {
        try {
          return await this.ctx.api.post(`/api/codes/${code.code}/email`, {
            to: to.value.trim(),
            language: language.value,
          });
        } catch (error) {
          this.goneIfMissing(error, code);
          throw error;
        }
      },
    });
    if (!sent) return;
    code.sentTo = `${sent.sent_to} (${languageName(sent.language)})`;
    code.language = sent.language;
    toast(`Invitation sent to ${code.sentTo}.`, "ok");
    this.render();
  }

  async cancel(button, code) {
    const sure = await confirmAction({
      title: "Cancel the code?",
      message: `${readable(code.code)} (${code.name}) will stop working at once.`,
      confirm: "Cancel code",
      cancel: "Keep",
    });
    if (!sure) return;
    await busy(button, this.list.problem, async () => {
      try {
        await this.ctx.api.del(`/api/codes/${code.code}`);
        toast(`${code.name}: code cancelled.`);
      } catch (error) {
        if (error.status !== 404) throw error;
        toast(explain(error)); // used or cancelled meanwhile: gone all the same
      }
      this.reported.add(code.code);
      this.codes.delete(code.code);
      this.render();
    });
  }

  /** The API no longer knows the code (used or cancelled elsewhere): drop it from the list. */
  goneIfMissing(error, code) {
    if (error.status === 404 && this.codes.delete(code.code)) {
      this.reported.add(code.code);
      this.render();
    }
  }
}
