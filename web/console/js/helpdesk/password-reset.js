// A contact's portal password, reset by a technician: either the reset email (a single-use link
// the contact follows), or a temporary password shown here once, to pass on by another channel
// (the phone); the contact must choose their own at their first sign-in. Either replaces what was
// issued to the contact before.

import { copyBlock } from "../admin/ui.js";
import { openDialog } from "../dialogs.js";
import { h, toast } from "../dom.js";
import { busy, ErrorMessage } from "../errors.js";

/** When a temporary password stops working, as the technician reads it. */
function until(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The dialog that resets `contact`'s portal password. */
export function passwordResetDialog(ctx, contact) {
  const path = `/api/contacts/${encodeURIComponent(contact.id)}/password-reset`;
  const problem = new ErrorMessage();
  const result = h("div", { class: "password-reset-result" });
  const byEmail = h("button", { type: "button", class: "primary" }, "Send the reset email");
  const temporary = h("button", { type: "button" }, "Make a temporary password");
  byEmail.addEventListener("click", () =>
    busy(byEmail, problem, async () => {
      const sent = await ctx.api.post(path, { send: "email" });
      toast(`A reset email went to ${sent.sent_to}.`, "ok");
      dialog.close();
    }),
  );
  temporary.addEventListener("click", () =>
    busy(temporary, problem, async () => {
      const made = await ctx.api.post(path, { send: "temporary" });
      byEmail.disabled = true;
      temporary.disabled = true;
      result.replaceChildren(
        copyBlock("Temporary password", made.temporary_password),
        h(
          "p",
          { class: "hint" },
          `Shown this once. It works until ${until(made.expires_at)}, at ${made.portal_address}; `,
          `${contact.name} must choose a new password when signing in with it.`,
        ),
      );
      result.querySelector("button")?.focus();
    }),
  );
  const dialog = openDialog(
    `Reset the password of ${contact.name}`,
    h(
      "div",
      {},
      h(
        "p",
        {},
        `Send ${contact.emails[0]} a link to choose a new password, or make a temporary password to tell them `,
        "another way. Either replaces what was sent before.",
      ),
      h("div", { class: "actions" }, byEmail, temporary),
      problem.node,
      result,
    ),
  );
  byEmail.focus();
  return dialog;
}
