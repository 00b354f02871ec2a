// Email templates (admins): the built-in ones, which can be edited and reset to their default,
// and the admin's own. Each has a name, a purpose and a subject and body per language, written
// with a live preview (editor.js).

import { Form, select, viewHead } from "../admin/ui.js";
import { confirmAction, formDialog } from "../dialogs.js";
import { h, languageName, replace, toast } from "../dom.js";
import { busy } from "../errors.js";
import { KeyedTable } from "../keyed-list.js";
import { TemplateEditor, variantProblems } from "./editor.js";

export const PURPOSES = [
  { value: "welcome", label: "Welcome (portal access)" },
  { value: "password_reset", label: "Password reset" },
  { value: "ticket_received", label: "Ticket received" },
  { value: "ticket_updated", label: "Ticket updated" },
  { value: "ticket_resolved", label: "Ticket resolved" },
  { value: "ticket_refused", label: "Ticket refused (submission policy)" },
  { value: "other", label: "Other" },
];

const purposeLabel = (purpose) => PURPOSES.find((option) => option.value === purpose)?.label || purpose;
const path = (template) => `/api/email-templates/${encodeURIComponent(template.id)}`;

function stateBadge(template) {
  if (!template.built_in) return h("span", { class: "badge info" }, "Custom");
  return template.customized
    ? h("span", { class: "badge warn" }, "Built-in, edited")
    : h("span", { class: "badge" }, "Built-in");
}

function rowButton(action, label, text, extra = "") {
  return h("button", { type: "button", class: ["small", extra], "aria-label": label, dataset: { action } }, text);
}

function templateRow(template) {
  return h(
    "tr",
    {},
    h("th", { scope: "row", class: "name" }, template.name),
    h("td", {}, purposeLabel(template.purpose)),
    h("td", {}, Object.keys(template.variants).map(languageName).join(", ")),
    h("td", {}, stateBadge(template)),
    h(
      "td",
      { class: "row-actions" },
      rowButton("edit", `Edit ${template.name}`, "Edit"),
      template.built_in && template.customized
        ? rowButton("reset", `Reset ${template.name} to its default`, "Reset to default")
        : null,
      template.built_in ? null : rowButton("delete", `Delete ${template.name}`, "Delete", "danger"),
    ),
  );
}

async function templateDialog(ctx, snippets, template, reload) {
  const form = new Form({ class: "template-form" });
  const name = h("input", { name: "name", value: template?.name || "", required: true, maxLength: 100 });
  const purpose = select("purpose", PURPOSES, template?.purpose || "other");
  purpose.disabled = Boolean(template?.built_in);
  const editor = new TemplateEditor(ctx, {
    line: "subject",
    lineLabel: "Subject",
    variants: template?.variants || {},
    previewPath: "/api/email-templates/preview",
    previewTitle: "Preview of the email",
    snippets,
  });
  const saved = await formDialog({
    title: template ? `Edit ${template.name}` : "New email template",
    form,
    fields: [
      h(
        "div",
        { class: "row" },
        form.field("name", "Template name", name),
        form.field("purpose", "Purpose", purpose, template?.built_in ? "A built-in template keeps its purpose." : ""),
      ),
      editor.node,
    ],
    submit: template ? "Save template" : "Create template",
    focus: name,
    className: "editor",
    save: async () => {
      const body = { name: name.value, purpose: purpose.value, variants: editor.value() };
      try {
        // made from the revision the dialog opened: refused if someone saved another since
        return template
          ? await ctx.api.put(path(template), { ...body, revision: template.revision })
          : await ctx.api.post("/api/email-templates", body);
      } catch (error) {
        throw variantProblems(editor, error);
      }
    },
  });
  editor.stop();
  if (!saved) return;
  toast(`${saved.name} saved.`, "ok");
  await reload();
}

export const emailTemplatesView = {
  id: "email-templates",
  title: "Email templates",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    let snippets = [];
    const list = new KeyedTable({
      caption: "Email templates",
      columns: ["Template", "Purpose", "Languages", "State", ""],
      className: "templates-table",
      empty: "No email templates.",
      key: (template) => template.id,
      item: templateRow,
      on: {
        click: {
          edit: (template) => templateDialog(ctx, snippets, template, reload),
          reset: (template, button) =>
            act(button, {
              title: `Reset ${template.name}?`,
              message: "Your changes to this built-in template are deleted; its default text comes back.",
              confirm: "Reset to default",
              run: () => ctx.api.post(`${path(template)}/reset`, {}),
              done: `${template.name} is back to its default.`,
            }),
          delete: (template, button) =>
            act(button, {
              title: `Delete ${template.name}?`,
              message: "Settings and rules that send it will need another template.",
              confirm: "Delete",
              run: () => ctx.api.del(path(template)),
              done: `${template.name} deleted.`,
            }),
        },
      },
    });
    const act = async (button, { title, message, confirm, run, done }) => {
      if (!(await confirmAction({ title, message, confirm }))) return;
      await busy(button, list.problem, async () => {
        await run();
        toast(done, "ok");
        await reload();
      });
    };
    const reload = () =>
      list.load(async () => {
        const [templates, known] = await Promise.all([
          ctx.api.get("/api/email-templates"),
          snippets.length ? snippets : ctx.api.get("/api/snippets"),
        ]);
        snippets = known;
        create.disabled = false;
        return templates;
      });
    const create = h(
      "button",
      {
        type: "button",
        class: "primary",
        disabled: true,
        on: { click: () => templateDialog(ctx, snippets, null, reload) },
      },
      "New template",
    );
    replace(
      root,
      viewHead(
        "Email templates",
        "What customers receive: a subject and a body per language, with snippets such as {[Contact Name]} filled in when sent.",
        create,
      ),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
