// The one way the console shows what went wrong: in words (the API's own message when there is
// one), in an element with role="alert", so that assistive technology reads it out at once.
//   ErrorMessage  in the place the error concerns: a form, a list, a dialog, a chat;
//   reportError   for what has no place of its own (the top bar, a reconnect): a notice.

import { h, notice } from "./dom.js";

const REPORT_MS = 8000;

/** The message of an error for a person: the API's own message when there is one. */
export function explain(error) {
  if (typeof error === "string") return error;
  return error?.message || "Something went wrong; try again.";
}

/** A place for an error (`node`, placed by the caller): hidden while there is none. */
export class ErrorMessage {
  constructor(className = "") {
    this.node = h("p", { class: ["error", className], role: "alert", hidden: true });
  }

  /** Show `error` (an Error, or words), after `about` ("The codes could not be loaded") if given. */
  show(error, about = "") {
    this.node.textContent = about ? `${about}: ${explain(error)}` : explain(error);
    this.node.hidden = false;
  }

  clear() {
    this.node.hidden = true;
    this.node.textContent = "";
  }
}

/** An error with no place of its own: a notice beside the navigation, for 8 s. */
export function reportError(error) {
  notice(h("p", { class: "toast error", role: "alert" }, explain(error)), REPORT_MS);
}

/** Run an async action from a button: disabled while it runs; what goes wrong is shown in `problem`. */
export async function busy(button, problem, action) {
  button.disabled = true;
  problem.clear();
  try {
    return await action();
  } catch (error) {
    problem.show(error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
