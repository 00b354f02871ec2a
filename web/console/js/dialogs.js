// Modal dialogs every view uses: one that holds anything, and "are you sure?". Native <dialog>:
// focus is kept inside, Escape closes, and the page behind is inert while it is open.

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
