// Contacts: the customers who ask for help. Technicians and admins find them (by a word of the
// name, an address or a domain, and by company), add, edit, deactivate and reactivate them;
// admins import them from a CSV file, after a preview of what each row will do.

import { Form, select, viewHead } from "../admin/ui.js";
import { confirmAction, formDialog, openDialog } from "../dialogs.js";
import { field, h, languageName, languageSelect, replace, toast } from "../dom.js";
import { busy, ErrorMessage } from "../errors.js";
import { KeyedList, PagedTable, rowButton } from "../keyed-list.js";
import { passwordResetDialog } from "./password-reset.js";

const SEARCH_DELAY_MS = 250;
const ACTIONS = { create: "Create", update: "Update", refuse: "Refused" };
const BADGES = { create: "ok", update: "info", refuse: "danger" };
const BY_DOMAIN = ""; // the company select's "place by email domain" choice

/** The addresses typed in a box: one per line, or separated by commas, semicolons or spaces. */
function addressesOf(text) {
  return text
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

/** A file's bytes in base64, as the import routes take them (the server checks the encoding). */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

function companyOptions(companies, { byDomain = false } = {}) {
  const options = companies.map((company) => ({ value: company.id, label: company.name }));
  return byDomain ? [{ value: BY_DOMAIN, label: "By email domain (else Unassigned)" }, ...options] : options;
}

async function contactDialog(ctx, companies, contact, reload) {
  const form = new Form({}, { contact_email_taken: "emails" });
  const name = h("input", { name: "name", value: contact?.name || "", required: true, maxLength: 100 });
  const emails = h("textarea", {
    name: "emails",
    rows: 2,
    required: true,
    spellcheck: false,
    value: (contact?.emails || []).join("\n"),
  });
  const phone = h("input", { name: "phone", type: "tel", value: contact?.phone || "", maxLength: 40 });
  const company = select(
    "company_id",
    companyOptions(companies, { byDomain: !contact }),
    contact ? contact.company_id : BY_DOMAIN,
  );
  const language = languageSelect(ctx.config.languages, contact?.language || "en", { name: "language" });
  const primary = h("input", { type: "checkbox", name: "primary", checked: Boolean(contact?.primary) });
  const saved = await formDialog({
    title: contact ? `Edit ${contact.name}` : "New contact",
    form,
    fields: [
      form.field("name", "Name", name),
      form.field("emails", "Email addresses", emails, "One or more, one per line; each belongs to one contact only."),
      h("div", { class: "row" }, form.field("phone", "Phone", phone), form.field("language", "Language", language)),
      form.field("company_id", "Company", company),
      h("label", { class: "check" }, primary, "Primary contact (sees all of the company's tickets)"),
    ],
    submit: contact ? "Save" : "Add contact",
    focus: name,
    save: () => {
      const body = {
        name: name.value,
        emails: addressesOf(emails.value),
        phone: phone.value,
        language: language.value,
        primary: primary.checked,
      };
      if (company.value !== BY_DOMAIN) body.company_id = company.value;
      return contact
        ? ctx.api.patch(`/api/contacts/${encodeURIComponent(contact.id)}`, body)
        : ctx.api.post("/api/contacts", body);
    },
  });
  if (!saved) return;
  const placed = companies.find((c) => c.id === saved.company_id)?.name || "Unassigned";
  toast(contact ? `${saved.name} saved.` : `${saved.name} added to ${placed}.`, "ok");
  await reload();
}

async function setActive(ctx, contact, problem, reload) {
  const active = !contact.active;
  if (!active) {
    const question = `Deactivate ${contact.name}? Their addresses stay theirs; you can reactivate them later.`;
    if (!(await confirmAction({ message: question, confirm: "Deactivate" }))) return;
  }
  problem.clear();
  try {
    const path = `/api/contacts/${encodeURIComponent(contact.id)}`;
    await (active ? ctx.api.patch(path, { active: true }) : ctx.api.post(`${path}/deactivate`));
    toast(`${contact.name} ${active ? "reactivated" : "deactivated"}.`, "ok");
    await reload();
  } catch (error) {
    problem.show(error);
  }
}

/** Send the contact's welcome email again, now (new credentials: the earlier ones stop working). */
async function sendWelcome(ctx, contact, problem) {
  const question = `Send ${contact.name} the welcome email again? A new sign-in link replaces the one sent before.`;
  if (!(await confirmAction({ message: question, confirm: "Send welcome" }))) return;
  problem.clear();
  try {
    const sent = await ctx.api.post(`/api/contacts/${encodeURIComponent(contact.id)}/welcome`);
    toast(`Welcome email sent to ${sent.sent_to}.`, "ok");
  } catch (error) {
    problem.show(error);
  }
}

function planRow(row) {
  return h(
    "tr",
    { dataset: { action: row.action } },
    h("td", {}, String(row.line)),
    h("td", {}, h("span", { class: `badge ${BADGES[row.action]}` }, ACTIONS[row.action])),
    h("td", {}, row.name),
    h("td", {}, row.emails.join(", ")),
    h("td", {}, row.company),
    h("td", {}, row.reason),
  );
}

function summary(plan, done) {
  const verbs = done ? ["created", "updated", "refused"] : ["to create", "to update", "refused"];
  return `${plan.create} ${verbs[0]}, ${plan.update} ${verbs[1]}, ${plan.refuse} ${verbs[2]}.`;
}

function importDialog(ctx, reload) {
  const file = h("input", { type: "file", name: "file", accept: ".csv,text/csv", required: true });
  const welcome = h("input", { type: "checkbox", name: "welcome" });
  const problem = new ErrorMessage();
  const said = h("p", { class: "import-summary", role: "status" });
  const rows = h("tbody");
  const outcome = new KeyedList(rows, { key: (row) => row.line, item: planRow });
  const table = h(
    "table",
    { class: "import-plan", hidden: true },
    h("caption", { class: "offscreen" }, "What each row does"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Line", "Action", "Name", "Email", "Company", "Why"].map((title) => h("th", { scope: "col" }, title)),
      ),
    ),
    rows,
  );
  const previewButton = h("button", { type: "button" }, "Preview");
  const importButton = h("button", { type: "button", class: "primary", disabled: true }, "Import");
  let encoded = null;
  const show = (plan, done) => {
    outcome.render(plan.rows);
    table.hidden = false;
    said.textContent = summary(plan, done);
  };
  file.addEventListener("change", () => {
    encoded = null;
    importButton.disabled = true;
    table.hidden = true;
    said.textContent = "";
  });
  previewButton.addEventListener("click", () =>
    busy(previewButton, problem, async () => {
      if (!file.files.length) throw new Error("Choose a CSV file first.");
      encoded = await base64Of(file.files[0]);
      const plan = await ctx.api.post("/api/contacts/import/preview", { file: encoded });
      show(plan, false);
      importButton.disabled = plan.create + plan.update === 0;
      importButton.textContent = `Import ${plan.create + plan.update} contact${plan.create + plan.update === 1 ? "" : "s"}`;
    }),
  );
  importButton.addEventListener("click", () =>
    busy(importButton, problem, async () => {
      const done = await ctx.api.post("/api/contacts/import", { file: encoded, welcome: welcome.checked });
      show(done, true);
      importButton.disabled = true;
      toast(`Import done: ${summary(done, true)}`, "ok");
      await reload();
    }),
  );
  const dialog = openDialog(
    "Import contacts",
    h(
      "div",
      { class: "admin-form" },
      h(
        "p",
        { class: "muted" },
        "A CSV file in UTF-8 with a header row: name, email (required), phone, company, language, primary. " +
          "A row whose address a contact has updates that contact. Nothing is written before you import.",
      ),
      field("CSV file", file),
      h("label", { class: "check" }, welcome, "Send the welcome email to the contacts created"),
      problem.node,
      h("div", { class: "actions" }, previewButton, importButton),
      said,
      h("div", { class: "table-scroll" }, table),
    ),
  );
  dialog.classList.add("wider");
  file.focus();
}

/** A contact's row, from what it shows: the contact, with its company's name. */
function contactRow(contact) {
  return h(
    "tr",
    { dataset: { email: contact.emails[0] } },
    h(
      "th",
      { scope: "row", class: "name" },
      contact.name,
      contact.primary ? h("small", { class: "badge info" }, " Primary") : null,
    ),
    h("td", {}, contact.emails.join(", ")),
    h("td", {}, contact.companyName),
    h("td", {}, languageName(contact.language)),
    h(
      "td",
      {},
      contact.active ? h("span", { class: "badge ok" }, "Active") : h("span", { class: "badge danger" }, "Deactivated"),
    ),
    h(
      "td",
      { class: "row-actions" },
      rowButton("Edit", `Edit ${contact.name}`, "edit"),
      contact.active ? rowButton("Reset password", `Reset the password of ${contact.name}`, "reset-password") : null,
      contact.active ? rowButton("Send welcome again", `Send welcome again to ${contact.name}`, "welcome") : null,
      contact.active
        ? rowButton("Deactivate", `Deactivate ${contact.name}`, "activate", "danger")
        : rowButton("Reactivate", `Reactivate ${contact.name}`, "activate"),
    ),
  );
}

export const contactsView = {
  id: "contacts",
  title: "Contacts",
  group: "Help desk",
  roles: ["technician", "admin"],
  mount(root, ctx, rest = "") {
    let companies = [];
    let timer = 0;
    const list = new PagedTable({
      caption: "Contacts",
      columns: ["Name", "Email", "Company", "Language", "State", ""],
      className: "contacts-table",
      empty: "No contacts match.",
      key: (contact) => contact.id,
      item: contactRow,
      on: {
        click: {
          edit: (contact) => contactDialog(ctx, companies, contact, reload),
          activate: (contact) => setActive(ctx, contact, list.problem, reload),
          "reset-password": (contact) => passwordResetDialog(ctx, contact),
          welcome: (contact) => sendWelcome(ctx, contact, list.problem),
        },
      },
    });
    // #/contacts/<words> opens the page searching for them (a ticket links its requester so)
    const query = h("input", { type: "search", name: "q", autocomplete: "off", maxLength: 100, value: rest });
    const company = h("select", { name: "company_id" }, h("option", { value: "" }, "All companies"));
    const named = (contact) => ({
      ...contact,
      companyName: companies.find((c) => c.id === contact.company_id)?.name || "Unassigned",
    });
    const reload = () => {
      // the filters as they are now; the next pages are of this list
      const filters = {};
      if (query.value.trim()) filters.q = query.value.trim();
      if (company.value) filters.company_id = company.value;
      return list.loadPages(
        filters,
        async (query) => {
          const page = await ctx.api.get(`/api/contacts?${query}`);
          return { things: page.contacts.map(named), next: page.next };
        },
        "The contacts could not be loaded",
      );
    };
    query.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(reload, SEARCH_DELAY_MS);
    });
    company.addEventListener("change", reload);
    const create = h(
      "button",
      { type: "button", class: "primary", on: { click: () => contactDialog(ctx, companies, null, reload) } },
      "New contact",
    );
    const importing =
      ctx.me.role === "admin"
        ? h("button", { type: "button", on: { click: () => importDialog(ctx, reload) } }, "Import CSV")
        : null;
    replace(
      root,
      viewHead("Contacts", "The customers who ask for help, and the company each belongs to.", importing, create),
      h(
        "section",
        { class: "card" },
        h(
          "form",
          { class: "row contact-search", role: "search", on: { submit: (event) => event.preventDefault() } },
          field("Search", query, "A word of the name, an address or a domain."),
          field("Company", company),
        ),
        list.node,
        list.more,
      ),
    );
    ctx.api
      .get("/api/companies")
      .then((found) => {
        companies = found;
        company.append(...found.map((c) => h("option", { value: c.id }, c.name)));
        list.render(list.shown.map(named));
      })
      .catch((error) => list.fail(error, "The companies could not be loaded"));
    reload();
    return () => clearTimeout(timer);
  },
};
