// Modal dialogs every view uses: one that holds anything, one that holds a form to save, and
// "are you sure?". Native <dialog>: focus is kept inside, Escape closes, and the page behind is
// inert while it is open.

import { Form } from "./admin/ui.js";
import { h, uid } from "./dom.js";

/** A modal dialog titled `title` holding `body`, with a close button; removed from the page once closed. */
export function openDialog(title, ...body) {
  const titleId = uid("dialog-title");
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: titleId }, title),
      h(
        "button",
        { type: "button", class: "ghost small", "aria-label": "Close", on: { click: () => dialog.close() } },
        "✕",
      ),
    ),
    body,
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/**
 * Ask before something that matters; resolves true when confirmed. Escape, the close button or
 * `cancel` resolve false. The safe choice has the focus, so Enter never destroys by accident.
 */
export function confirmAction({ title = "Are you sure?", message, confirm, cancel = "Cancel", danger = true }) {
  return new Promise((resolve) => {
    let answer = false;
    const no = h("button", { type: "button", on: { click: () => dialog.close() } }, cancel);
    const yes = h(
      "button",
      {
        type: "button",
        class: danger ? "danger" : "primary",
        on: {
          click: () => {
            answer = true;
            dialog.close();
          },
        },
      },
      confirm,
    );
    const dialog = openDialog(title, h("p", {}, message), h("div", { class: "actions end" }, no, yes));
    dialog.addEventListener("close", () => resolve(answer));
    no.focus();
  });
}

/**
 * A form in a dialog: `fields` (nodes, made with `form.field` where the API may name them), the
 * form's problem, then `cancel` and the `submit` button (none when `submit` is null: a form only
 * to read). Enter or the button runs `save` with the button disabled; what goes wrong stays in
 * the dialog, next to the field the API names (`form`'s slots) or at the end. Resolves with what
 * `save` answered (so never null) once it is saved and the dialog closed, or null when it is
 * closed without saving (Cancel, Escape, the close button).
 * `focus`: the control that has the focus when it opens; `className`: the dialog's width ("wide", "wider").
 */
export function formDialog({
  title,
  form = new Form(),
  fields,
  save,
  submit = "Save",
  cancel = "Cancel",
  focus = null,
  className = "",
}) {
  return new Promise((resolve) => {
    let saved = null;
    form.element.append(
      ...[fields].flat(Infinity).filter(Boolean),
      form.problem.node,
      h(
        "div",
        { class: "actions end" },
        h("button", { type: "button", on: { click: () => dialog.close() } }, cancel),
        submit === null ? null : h("button", { type: "submit", class: "primary" }, submit),
      ),
    );
    form.onSubmit(async () => {
      saved = (await save()) ?? null;
      dialog.close();
    });
    const dialog = openDialog(title, form.element);
    if (className) dialog.classList.add(className);
    dialog.addEventListener("close", () => resolve(saved));
    focus?.focus();
  });
}
