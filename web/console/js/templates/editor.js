// Writing a template's text in each language, with a live preview: what email templates and quick
// replies share. One language is shown at a time (the others are kept as typed); a language left
// empty has no variant, and the template falls back to the portal's language, then English.
// The preview asks the API (POST <previewPath>) once typing pauses, renders the HTML in a
// sandboxed frame (no script, no same-origin access) and shows the text part; an unknown snippet
// is refused there, and said next to the field that holds it, before anything is saved.

import { Latest } from "../api.js";
import { field, h, languageName, uid } from "../dom.js";
import { explain } from "../errors.js";

const DEBOUNCE_MS = 350;
const PART = /^variants\.(\w+)\.(subject|title|body)$/;

/**
 * Sample values a preview renders. With a chosen contact, only what a contact does not give (the
 * ticket's, the technician's): the API fills in the contact's, their company's and their portal's.
 */
export function sampleValues(ctx, { contact = null } = {}) {
  const portal = ctx.config.public_url.replace(/\/+$/, "");
  const others = {
    ticket_number: "1042",
    ticket_title: "The VPN does not connect",
    ticket_status: "Open",
    ticket_link: `${portal}/tickets/1042`,
    technician_name: ctx.me.name,
  };
  if (contact) return others;
  return {
    contact_first_name: "Carla",
    contact_name: "Carla Contact",
    contact_email: "carla@acme.example.com",
    company_name: "Acme",
    portal_address: portal,
    portal_username: "carla@acme.example.com",
    ...others,
  };
}

/** A snippet picker: choosing one inserts it where the cursor was, in the line or the body. */
function snippetPicker(snippets, insert) {
  const groups = new Map();
  for (const snippet of snippets) {
    if (!groups.has(snippet.group)) groups.set(snippet.group, []);
    groups.get(snippet.group).push(snippet);
  }
  const picker = h(
    "select",
    { name: "snippet", "aria-label": "Insert a snippet" },
    h("option", { value: "" }, "Insert a snippet…"),
    [...groups].map(([group, members]) =>
      h(
        "optgroup",
        { label: group },
        members.map((snippet) => h("option", { value: snippet.token, title: snippet.description }, snippet.token)),
      ),
    ),
  );
  picker.addEventListener("change", () => {
    if (picker.value) insert(picker.value);
    picker.value = "";
  });
  return picker;
}

export class TemplateEditor {
  /**
   * ctx: the console's; line: "subject" (email) or "title" (quick reply); variants: {en: {subject,
   * body}, ...} to start from; previewPath: the API's preview of a draft; snippets: GET /api/snippets.
   */
  constructor(ctx, { line, lineLabel, variants, previewPath, snippets, previewTitle }) {
    this.ctx = ctx;
    this.lineName = line;
    this.previewPath = previewPath;
    this.variants = structuredClone(variants || {});
    this.languages = ctx.config.languages;
    this.current = this.languages.find((code) => this.variants[code]) || this.languages[0];
    this.timer = 0;
    this.previews = new Latest(); // an older preview's answer arriving late is dropped
    this.lastFocused = null;

    this.language = h("select", { name: "variant-language" });
    this.language.addEventListener("change", () => this.switchTo(this.language.value));
    this.line = h("input", { name: line, maxLength: line === "subject" ? 200 : 120, autocomplete: "off" });
    this.body = h("textarea", { name: "body", rows: 12, spellcheck: true, class: "template-body" });
    this.slots = {}; // the words the API said about the line and the body, under each
    for (const control of [this.line, this.body]) {
      control.addEventListener("input", () => {
        this.clear(); // what was said about the text is about what it was
        this.keep();
        this.schedule();
      });
      control.addEventListener("focus", () => {
        this.lastFocused = control;
      });
    }
    const picker = snippetPicker(snippets, (token) => this.insert(token));

    this.contact = null; // the contact the preview is for ({id, name}), or sample values
    this.previewAs = h("input", {
      type: "search",
      name: "preview-as",
      autocomplete: "off",
      maxLength: 320,
      placeholder: "carla@acme.example.com",
    });
    this.previewAs.addEventListener("change", () => this.chooseContact());
    this.previewAs.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter here previews; it does not save the template
      this.chooseContact();
    });
    this.status = h("span", { class: "muted preview-status", role: "status" });
    this.previewLine = h("p", { class: "preview-line" });
    this.frame = h("iframe", { sandbox: "", title: previewTitle, class: "preview-frame" });
    this.text = h("pre", { class: "preview-text" });
    this.node = h(
      "div",
      { class: "template-editor" },
      h(
        "div",
        { class: "template-write" },
        h(
          "div",
          { class: "row" },
          field("Language", this.language, "Leave a language empty: the portal's language is used, then English."),
          h("div", { class: "field" }, picker),
        ),
        this.withSlot(field(lineLabel, this.line), line, this.line),
        this.withSlot(
          field("Body", this.body, "Markdown: **bold**, *italic*, [link text](address), - lists. HTML shows as text."),
          "body",
          this.body,
        ),
      ),
      h(
        "section",
        { class: "template-preview", "aria-label": "Preview" },
        h("div", { class: "preview-head" }, h("h3", {}, "Preview"), this.status),
        field(
          "Preview as contact",
          this.previewAs,
          "A contact's address: their names, company and portal fill the preview. Nothing is sent or issued.",
        ),
        this.previewLine,
        this.frame,
        h("details", {}, h("summary", {}, "Plain-text part"), this.text),
      ),
    );
    this.showLanguage();
    this.preview();
  }

  /** The labelled field `wrapper` of `control`, with a slot under it for what the API says of `part`. */
  withSlot(wrapper, part, control) {
    const slot = h("small", {
      class: "error field-error",
      id: uid("error"),
      hidden: true,
      dataset: { errorFor: part },
    });
    const described = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", [described, slot.id].filter(Boolean).join(" "));
    this.slots[part] = slot;
    wrapper.append(slot);
    return wrapper;
  }

  /** The variants with something written, as the API takes them. */
  value() {
    this.keep();
    return Object.fromEntries(
      this.languages
        .filter((code) => this.variants[code])
        .map((code) => [code, { [this.lineName]: this.variants[code][this.lineName], body: this.variants[code].body }]),
    );
  }

  keep() {
    const line = this.line.value;
    const body = this.body.value;
    if (line.trim() || body.trim()) this.variants[this.current] = { [this.lineName]: line, body };
    else delete this.variants[this.current];
    this.labelLanguages();
  }

  /** The language choices, each saying whether it has a variant yet. */
  labelLanguages() {
    if (!this.language.options.length) {
      this.language.append(...this.languages.map((code) => h("option", { value: code })));
    }
    for (const option of this.language.options) {
      const text = this.variants[option.value] ? languageName(option.value) : `${languageName(option.value)} (empty)`;
      if (option.textContent !== text) option.textContent = text;
    }
    this.language.value = this.current;
  }

  showLanguage() {
    const variant = this.variants[this.current] || { [this.lineName]: "", body: "" };
    this.line.value = variant[this.lineName] || "";
    this.body.value = variant.body || "";
    this.labelLanguages();
  }

  switchTo(code) {
    this.keep();
    this.current = code;
    this.clear();
    this.showLanguage();
    this.preview();
  }

  insert(token) {
    const control = this.lastFocused || this.body;
    const start = control.selectionStart ?? control.value.length;
    const end = control.selectionEnd ?? start;
    control.setRangeText(token, start, end, "end");
    control.focus();
    this.keep();
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    this.status.textContent = "Updating…";
    this.timer = setTimeout(() => this.preview(), DEBOUNCE_MS);
  }

  /** Preview for the contact whose address is typed in "Preview as contact" (sample values if none has it). */
  async chooseContact() {
    const wanted = this.previewAs.value.trim().toLowerCase();
    let found = null;
    if (wanted) {
      try {
        const page = await this.ctx.api.get(`/api/contacts?q=${encodeURIComponent(wanted)}`);
        found = page.contacts.find((contact) => contact.emails.includes(wanted)) || null;
      } catch {
        found = null; // the preview says it shows sample values
      }
    }
    if (wanted !== this.previewAs.value.trim().toLowerCase()) return; // typed again meanwhile
    this.contact = found && { id: found.id, name: found.name };
    this.preview();
  }

  async preview() {
    clearTimeout(this.timer);
    const latest = this.previews.next();
    const draft = {
      [this.lineName]: this.line.value,
      body: this.body.value,
      language: this.current,
      sample: sampleValues(this.ctx, { contact: this.contact }),
    };
    if (this.contact) draft.contact_id = this.contact.id;
    this.status.textContent = "Updating…";
    try {
      const shown = await this.ctx.api.post(this.previewPath, draft);
      if (!latest()) return;
      this.clear({ previewOnly: true });
      this.previewLine.textContent = `${this.lineName === "subject" ? "Subject" : "Title"}: ${shown[this.lineName]}`;
      this.frame.srcdoc = shown.html;
      this.text.textContent = shown.text;
      const as = this.contact
        ? `as a mail to ${this.contact.name}`
        : this.previewAs.value.trim()
          ? "with sample values (no contact has that address)"
          : "with sample values";
      this.status.textContent = `${languageName(shown.language)}, ${as}`;
    } catch (error) {
      if (!latest()) return;
      this.status.textContent = "Not rendered";
      this.clear({ previewOnly: true });
      if (!this.place(error.details || [], { preview: true })) this.showAt(this.lineName, explain(error), true);
    }
  }

  /** Show the problems the API named at their fields (a draft's "body", a saved one's "variants.es.body"). */
  place(details, { preview = false } = {}) {
    let placed = false;
    for (const detail of details) {
      const match = PART.exec(detail.field);
      const [language, part] = match ? [match[1], match[2]] : [this.current, detail.field];
      if (!this.slots[part]) continue;
      if (language !== this.current) this.switchTo(language);
      this.showAt(part, detail.problem, preview);
      placed = true;
    }
    return placed;
  }

  /** Say `problem` under the line or the body; `preview`: the preview found it (the next one may clear it). */
  showAt(part, problem, preview = false) {
    const slot = this.slots[part];
    slot.textContent = problem;
    slot.hidden = false;
    slot.dataset.source = preview ? "preview" : "save";
    (part === "body" ? this.body : this.line).setAttribute("aria-invalid", "true");
  }

  /** Hide what was said about the fields (only what a preview said, with previewOnly). */
  clear({ previewOnly = false } = {}) {
    for (const [part, slot] of Object.entries(this.slots)) {
      if (previewOnly && slot.dataset.source !== "preview") continue;
      slot.hidden = true;
      slot.textContent = "";
      slot.dataset.source = "";
      (part === "body" ? this.body : this.line).removeAttribute("aria-invalid");
    }
  }

  stop() {
    clearTimeout(this.timer);
    this.previews.next(); // an answer still on its way is dropped
  }
}

/**
 * What a form shows of a save the API refused: the problems with a variant next to its field (the
 * editor switches to that language), the rest as the form shows any error.
 */
export function variantProblems(editor, error) {
  const details = error?.details || [];
  const ours = details.filter((detail) => PART.test(detail.field));
  if (!ours.length || !editor.place(ours)) return error;
  const rest = details.filter((detail) => !PART.test(detail.field));
  if (rest.length) return { ...error, message: error.message, details: rest };
  return "Not saved: see the field marked.";
}
