// Quick replies: answers a technician drops into a reply, a title and a body per language, with
// the same snippets as email templates. Admins keep the shared ones every technician may use;
// each technician may keep their own, which nobody else sees.

import { Form, viewHead } from "../admin/ui.js";
import { confirmAction, formDialog } from "../dialogs.js";
import { h, languageName, replace, toast } from "../dom.js";
import { busy } from "../errors.js";
import { KeyedTable } from "../keyed-list.js";
import { TemplateEditor, variantProblems } from "./editor.js";

const path = (reply) => `/api/quick-replies/${encodeURIComponent(reply.id)}`;

/** The title a list shows: English, else the first language it has. */
function titleOf(reply) {
  const variant = reply.variants.en || Object.values(reply.variants)[0];
  return variant?.title || "";
}

function canChange(ctx, reply) {
  return reply.shared ? ctx.me.role === "admin" : true;
}

function replyRow(reply) {
  const title = titleOf(reply);
  return h(
    "tr",
    {},
    h("th", { scope: "row", class: "name" }, title),
    h("td", {}, reply.shared ? h("span", { class: "badge info" }, "Shared") : h("span", { class: "badge" }, "Yours")),
    h("td", {}, Object.keys(reply.variants).map(languageName).join(", ")),
    h(
      "td",
      { class: "row-actions" },
      h(
        "button",
        {
          type: "button",
          class: "small",
          "aria-label": `${reply.changeable ? "Edit" : "View"} ${title}`,
          dataset: { action: "edit" },
        },
        reply.changeable ? "Edit" : "View",
      ),
      reply.changeable
        ? h(
            "button",
            { type: "button", class: "small danger", "aria-label": `Delete ${title}`, dataset: { action: "delete" } },
            "Delete",
          )
        : null,
    ),
  );
}

async function replyDialog(ctx, snippets, reply, reload) {
  const form = new Form({ class: "template-form" });
  const readOnly = reply && !reply.changeable;
  const shared = h("input", { type: "checkbox", name: "shared" });
  const editor = new TemplateEditor(ctx, {
    line: "title",
    lineLabel: "Title",
    variants: reply?.variants || {},
    previewPath: "/api/quick-replies/preview",
    previewTitle: "Preview of the quick reply",
    snippets,
  });
  const saved = await formDialog({
    title: reply ? `${readOnly ? "" : "Edit "}${titleOf(reply)}` : "New quick reply",
    form,
    fields: [
      !reply && ctx.me.role === "admin"
        ? h("label", { class: "check" }, shared, "Shared: every technician may use it")
        : null,
      readOnly ? h("p", { class: "notice info" }, "A shared quick reply: only admins change it.") : null,
      editor.node,
    ],
    submit: readOnly ? null : reply ? "Save quick reply" : "Create quick reply",
    cancel: readOnly ? "Close" : "Cancel",
    focus: editor.line,
    className: "editor",
    save: async () => {
      const variants = editor.value();
      try {
        return reply
          ? await ctx.api.put(path(reply), { variants, revision: reply.revision }) // refused if changed since
          : await ctx.api.post("/api/quick-replies", { variants, shared: shared.checked });
      } catch (error) {
        throw variantProblems(editor, error);
      }
    },
  });
  editor.stop();
  if (!saved) return;
  toast(`${titleOf(saved)} saved.`, "ok");
  await reload();
}

export const quickRepliesView = {
  id: "quick-replies",
  title: "Quick replies",
  group: "Support",
  roles: ["technician", "admin"],
  mount(root, ctx) {
    let snippets = [];
    const list = new KeyedTable({
      caption: "Quick replies",
      columns: ["Title", "Kept by", "Languages", ""],
      className: "templates-table",
      empty: "No quick replies yet.",
      key: (reply) => reply.id,
      item: replyRow,
      on: {
        click: {
          edit: (reply) => replyDialog(ctx, snippets, reply, reload),
          delete: async (reply, button) => {
            const confirmed = await confirmAction({
              title: `Delete ${titleOf(reply)}?`,
              message: reply.shared ? "Every technician loses this shared quick reply." : "It is gone for good.",
              confirm: "Delete",
            });
            if (!confirmed) return;
            await busy(button, list.problem, async () => {
              await ctx.api.del(path(reply));
              toast(`${titleOf(reply)} deleted.`, "ok");
              await reload();
            });
          },
        },
      },
    });
    const reload = () =>
      list.load(async () => {
        const [replies, known] = await Promise.all([
          ctx.api.get("/api/quick-replies"),
          snippets.length ? snippets : ctx.api.get("/api/snippets"),
        ]);
        snippets = known;
        create.disabled = false;
        return replies.map((reply) => ({ ...reply, changeable: canChange(ctx, reply) }));
      });
    const create = h(
      "button",
      {
        type: "button",
        class: "primary",
        disabled: true,
        on: { click: () => replyDialog(ctx, snippets, null, reload) },
      },
      "New quick reply",
    );
    replace(
      root,
      viewHead(
        "Quick replies",
        ctx.me.role === "admin"
          ? "Answers to drop into a reply. Shared ones are every technician's; your own are yours alone."
          : "Answers to drop into a reply: the shared ones admins keep, and your own, which only you see.",
        create,
      ),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
