// Email settings (GET/PATCH /api/settings, the fields deskless/preferences.py keeps for email):
// the support addresses, whether an unknown sender becomes a contact, and whether a new contact
// gets the welcome email, from which template. Save sends only what changed; what the API
// refuses (an address not at the mail domain, a template that does not exist) is shown next to
// its field.

import { h, replace } from "../dom.js";
import { Form, loadInto, saveChangedSettings, select, viewHead } from "./ui.js";

export const EMAIL_SETTINGS = [
  "support_addresses",
  "create_contacts_from_email",
  "welcome_new_contacts",
  "welcome_template_id",
];

function addressesText(addresses) {
  return (addresses || []).join("\n");
}

function readAddresses(textarea) {
  return textarea.value
    .split(/[\s,;]+/)
    .map((address) => address.trim().toLowerCase())
    .filter(Boolean);
}

function switchField(form, name, label, hint) {
  const input = h("input", { type: "checkbox", role: "switch", name });
  const element = h(
    "div",
    { class: "field" },
    h("label", { class: "switch" }, input, label),
    h("small", { class: "hint" }, hint),
    form.slot(name, input),
  );
  return { input, element };
}

function templateOptions(templates, chosen) {
  const options = templates.map((template) => ({
    value: template.id,
    label: template.purpose === "welcome" ? template.name : `${template.name} (${template.purpose})`,
  }));
  if (!options.some((option) => option.value === chosen)) {
    options.unshift({ value: chosen, label: `${chosen} (missing)` });
  }
  return options;
}

function emailSettingsForm(ctx, { settings, templates }) {
  let saved = settings;
  const form = new Form({ class: "settings-form", "aria-label": "Email settings" });
  const addresses = h("textarea", { name: "support_addresses", rows: 3, spellcheck: false });
  const create = switchField(
    form,
    "create_contacts_from_email",
    "Create a contact when an email arrives from an unknown address",
    "The contact is named from the email's sender and placed in the company that holds its domain, else in " +
      "Unassigned. Automatic mail (out-of-office replies, bounces, mailing lists, no-reply senders) never creates one.",
  );
  const welcome = switchField(
    form,
    "welcome_new_contacts",
    "Send an email to a newly added contact",
    "Contacts created from an email or in the console get it once. Imported contacts get it only if the import asks; " +
      "existing contacts never. A technician can send it again from the Contacts page.",
  );
  const template = select("welcome_template_id", templateOptions(templates, saved.welcome_template_id), null);
  const controls = {
    support_addresses: {
      read: () => readAddresses(addresses),
      write: (value) => {
        addresses.value = addressesText(value);
      },
    },
    create_contacts_from_email: {
      read: () => create.input.checked,
      write: (value) => {
        create.input.checked = Boolean(value);
      },
    },
    welcome_new_contacts: {
      read: () => welcome.input.checked,
      write: (value) => {
        welcome.input.checked = Boolean(value);
      },
    },
    welcome_template_id: {
      read: () => template.value,
      write: (value) => {
        template.value = value;
      },
    },
  };
  for (const [name, control] of Object.entries(controls)) control.write(saved[name]);
  form.element.append(
    h(
      "section",
      { class: "card settings-group" },
      h("h2", {}, "Support addresses"),
      form.field(
        "support_addresses",
        "Support addresses",
        addresses,
        "One a line. Mail to these addresses is support mail; they must be at the domain Deskless receives mail at.",
      ),
    ),
    h("section", { class: "card settings-group" }, h("h2", {}, "New contacts from email"), create.element),
    h(
      "section",
      { class: "card settings-group" },
      h("h2", {}, "Welcome email"),
      welcome.element,
      form.field(
        "welcome_template_id",
        "Welcome email template",
        template,
        "The built-in welcome template sends a single-use link to set a password ({[Portal Password Link]}): the " +
          "safer choice. A template with {[Portal Password]} mails a temporary password instead, which anyone who " +
          "reads the mail can use until it is changed.",
      ),
    ),
    h(
      "div",
      { class: "card save-bar" },
      form.problem.node,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save email settings")),
    ),
  );
  form.onSubmit(async () => {
    saved = await saveChangedSettings(ctx, new Map(Object.entries(controls)), saved, "Email settings saved.");
  });
  return form.element;
}

export const emailSettingsView = {
  id: "email-settings",
  title: "Email settings",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    const body = h("div");
    replace(
      root,
      viewHead("Email settings", "What Deskless does with mail to the support addresses, and how it greets contacts."),
      body,
    );
    loadInto(
      body,
      async () => {
        const [settings, templates] = await Promise.all([
          ctx.api.get("/api/settings"),
          ctx.api.get("/api/email-templates"),
        ]);
        return { settings, templates };
      },
      (loaded) => emailSettingsForm(ctx, loaded),
    );
  },
};
