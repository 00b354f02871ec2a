// What the session codes and invitations panels share: row buttons, copying
// with a word to say it worked, and a choice remembered across sign-ins.

import { openDialog } from "../dialogs.js";
import { copyText, field, h, toast } from "../dom.js";

/** Copy `text` and say so ("Join URL copied."); if the browser refuses, show it to copy by hand. */
export async function copyAndSay(text, what) {
  if (await copyText(text)) {
    toast(`${what} copied.`, "ok");
    return;
  }
  const area = h("textarea", { value: text, readOnly: true, rows: 6 });
  const done = h("div", { class: "actions end" }, h("button", { type: "submit" }, "Done"));
  const explained = field("The browser did not allow copying; select the text and copy it yourself.", area);
  openDialog(`Copy the ${what.toLowerCase()}`, h("form", { method: "dialog" }, explained, done));
  area.select();
}

/** A value kept in localStorage across sign-ins (null when absent or storage is unavailable). */
export const remembered = {
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // private browsing or storage full: the choice is simply not remembered
    }
  },
};
