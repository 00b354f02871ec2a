// What the admin's views share: a view's heading, forms whose errors are shown in words next to
// the field they concern, checkbox groups, and copyable snippets. Their lists are KeyedTables.

import { copyText, field, h, toast, uid } from "../dom.js";
import { ErrorMessage, explain } from "../errors.js";

export const CHANNELS = [
  { value: "chat", label: "Chat" },
  { value: "email", label: "Email" },
  { value: "phone", label: "Phone" },
];

export const ROLES = [
  { value: "technician", label: "Technician" },
  { value: "admin", label: "Administrator" },
];

/** The heading of a view, with its actions on the right. */
export function viewHead(title, intro, ...actions) {
  return [
    h(
      "div",
      { class: "view-head" },
      h("h1", {}, title),
      actions.length ? h("div", { class: "actions" }, actions) : null,
    ),
    intro ? h("p", { class: "muted intro" }, intro) : null,
  ];
}

/** A <select> of {value, label} options with one chosen. */
export function select(name, options, chosen) {
  return h(
    "select",
    { name },
    options.map((option) => h("option", { value: option.value, selected: option.value === chosen }, option.label)),
  );
}

/**
 * A form whose problems are shown in words: each field gets a slot under it for what the API
 * said about it (by the field's name in the API's `details`, the longest registered prefix of its
 * path, or by an error code given in `codeFields`), the rest goes to one message at the end of the form.
 */
export class Form {
  constructor(props = {}, codeFields = {}) {
    this.element = h("form", { noValidate: true, ...props, class: ["admin-form", props.class] });
    this.codeFields = codeFields;
    this.slots = new Map();
    this.problem = new ErrorMessage("form-problem"); // the form's alert; each field's words are its description
  }

  /** The slot for what the API says about field `name`, linked to its control; placed by the caller. */
  slot(name, control) {
    const slot = h("small", {
      class: "error field-error",
      id: uid("error"),
      hidden: true,
      dataset: { errorFor: name },
    });
    const described = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", [described, slot.id].filter(Boolean).join(" "));
    this.slots.set(name, { slot, control });
    return slot;
  }

  /** A labelled field for the API field `name`, with its error slot. */
  field(name, label, control, hint = "") {
    const wrapper = field(label, control, hint);
    wrapper.append(this.slot(name, control));
    return wrapper;
  }

  /** A group of controls (a fieldset) for the API field `name`, with its error slot. */
  group(name, fieldset) {
    fieldset.append(this.slot(name, fieldset));
    return fieldset;
  }

  /** The slot for an API field path ("conditions.1.value"): the longest registered prefix's. */
  slotFor(path) {
    const parts = path.split(".");
    for (let length = parts.length; length > 0; length -= 1) {
      const target = this.slots.get(parts.slice(0, length).join("."));
      if (target) return target;
    }
    return undefined;
  }

  clear() {
    this.problem.clear();
    for (const { slot, control } of this.slots.values()) {
      slot.hidden = true;
      slot.textContent = "";
      control.removeAttribute("aria-invalid");
    }
  }

  /** Show an API error: next to the fields it names, the rest (or a summary) at the end. */
  show(error) {
    this.clear();
    const placed = [];
    const unplaced = [];
    const byCode = this.codeFields[error?.code];
    const details = byCode ? [{ field: byCode, problem: explain(error) }] : error?.details || [];
    for (const detail of details) {
      const target = this.slotFor(String(detail.field));
      if (!target) {
        unplaced.push(`${detail.field}: ${detail.problem}`);
        continue;
      }
      target.slot.textContent = target.slot.textContent
        ? `${target.slot.textContent}; ${detail.problem}`
        : detail.problem;
      target.slot.hidden = false;
      target.control.setAttribute("aria-invalid", "true");
      placed.push(target);
    }
    if (placed.length && !unplaced.length) {
      this.problem.show(placed.length === 1 ? "Not saved: see the field marked." : "Not saved: see the fields marked.");
    } else {
      this.problem.show(unplaced.length ? unplaced.join("; ") : error);
    }
    placed[0]?.control.focus?.();
  }

  /**
   * On submit: clear the problems, run `action` with the submit button disabled, show what went
   * wrong if it failed.
   */
  onSubmit(action) {
    this.element.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = this.element.querySelector("button[type=submit]");
      this.clear();
      if (button) button.disabled = true;
      try {
        await action();
      } catch (error) {
        this.show(error);
      } finally {
        if (button) button.disabled = false;
      }
    });
  }
}

/** Checkboxes in a fieldset: {element, values() -> chosen values, set(values)}. */
export function checkboxes(legend, options, chosen = [], { empty = "None to choose from." } = {}) {
  const inputs = options.map((option) =>
    h("input", { type: "checkbox", value: option.value, checked: chosen.includes(option.value) }),
  );
  const element = h(
    "fieldset",
    { class: "checks" },
    h("legend", {}, legend),
    options.length
      ? options.map((option, index) => h("label", { class: "check" }, inputs[index], option.label))
      : h("p", { class: "muted" }, empty),
  );
  return {
    element,
    values: () => inputs.filter((input) => input.checked).map((input) => input.value),
  };
}

/**
 * A snippet to copy: its label, the text in a code block, a Copy button and an optional preview
 * link. Copying is confirmed on the block itself (a notice would sit under an open dialog).
 */
export function copyBlock(label, text, preview = null) {
  const codeId = uid("code");
  const said = h("span", { class: "copied", role: "status" });
  const problem = new ErrorMessage();
  let reset = 0;
  const copy = h(
    "button",
    {
      type: "button",
      class: "small",
      "aria-describedby": codeId,
      on: {
        click: async () => {
          clearTimeout(reset);
          said.textContent = "";
          if (!(await copyText(text))) {
            problem.show("Copying failed: select the text and copy it yourself.");
            return;
          }
          problem.clear();
          said.textContent = `${label} copied.`;
          reset = setTimeout(() => {
            said.textContent = "";
          }, 4000);
        },
      },
    },
    "Copy",
  );
  return h(
    "section",
    { class: "copy-block" },
    h("div", { class: "copy-head" }, h("h3", {}, label), h("div", { class: "actions" }, said, copy, preview)),
    h("pre", { class: "code", id: codeId }, text),
    problem.node,
  );
}

/** A place for a list that is loaded: "Loading…", then what `render` makes, or the error in words. */
export async function loadInto(container, load, render) {
  container.replaceChildren(h("p", { class: "muted", role: "status" }, "Loading…"));
  try {
    const data = await load();
    container.replaceChildren(...[render(data)].flat().filter(Boolean));
  } catch (error) {
    const problem = new ErrorMessage();
    problem.show(error);
    container.replaceChildren(problem.node);
  }
}

/**
 * Save the settings among `controls` (a Map of name -> control with read() and write()) that differ
 * from `saved` (the settings as last answered), through PATCH /api/settings, and say `done`;
 * the settings as answered then (`saved` itself when nothing changed).
 */
export async function saveChangedSettings(ctx, controls, saved, done) {
  const changes = {};
  for (const [name, control] of controls) {
    const value = control.read();
    if (JSON.stringify(value) !== JSON.stringify(saved[name])) changes[name] = value;
  }
  if (!Object.keys(changes).length) {
    toast("Nothing to save: no setting was changed.");
    return saved;
  }
  const answered = await ctx.api.patch("/api/settings", changes);
  for (const [name, control] of controls) control.write(answered[name]);
  toast(done, "ok");
  return answered;
}
