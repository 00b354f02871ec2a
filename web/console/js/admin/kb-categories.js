// Knowledge-base categories: what the portal's help articles are grouped under, in order
// (GET/POST /api/knowledge/categories, PATCH/DELETE /api/knowledge/categories/{id}). Only an
// empty category may be deleted: the API refuses one that holds articles (409).

import { confirmAction, formDialog } from "../dialogs.js";
import { h, replace, toast } from "../dom.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { Form, viewHead } from "./ui.js";

const LABELS = [
  { value: "es", label: "Spanish name" },
  { value: "de", label: "German name" },
  { value: "cs", label: "Czech name" },
];

function categoryFields(form, category) {
  const name = h("input", { name: "name", value: category?.name || "", required: true, maxLength: 100 });
  const order = h("input", {
    type: "number",
    name: "order",
    min: 0,
    max: 10000,
    step: 1,
    value: String(category?.order ?? 0),
  });
  const labels = LABELS.map((label) => ({
    language: label.value,
    input: h("input", { name: `label-${label.value}`, maxLength: 80, value: category?.labels?.[label.value] || "" }),
    label: label.label,
  }));
  return {
    name,
    element: h(
      "div",
      {},
      h(
        "div",
        { class: "row" },
        form.field("name", "Name", name, "Readers see it in English, and where no name in their language is given."),
        form.field("order", "Order", order, "Lower comes first (0–10000); equal ones by name."),
      ),
      h(
        "div",
        { class: "row" },
        labels.map((label) => form.field("labels", label.label, label.input)),
      ),
    ),
    body: () => ({
      name: name.value,
      order: order.value === "" ? 0 : Number(order.value),
      labels: Object.fromEntries(
        labels.filter((label) => label.input.value.trim()).map((label) => [label.language, label.input.value.trim()]),
      ),
    }),
  };
}

function createForm(ctx, reload) {
  const form = new Form({ "aria-labelledby": "new-kb-category-title" });
  const fields = categoryFields(form, null);
  form.element.append(
    h("h2", { id: "new-kb-category-title" }, "Add a category"),
    fields.element,
    form.problem.node,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add category")),
  );
  form.onSubmit(async () => {
    const added = await ctx.api.post("/api/knowledge/categories", fields.body());
    form.element.reset();
    toast(`${added.name} added.`, "ok");
    await reload();
    fields.name.focus();
  });
  return h("section", { class: "card" }, form.element);
}

async function editDialog(ctx, category, reload) {
  const form = new Form();
  const fields = categoryFields(form, category);
  const saved = await formDialog({
    title: `Edit ${category.name}`,
    form,
    fields: fields.element,
    focus: fields.name,
    save: () => ctx.api.patch(`/api/knowledge/categories/${encodeURIComponent(category.id)}`, fields.body()),
  });
  if (!saved) return;
  toast(`${saved.name} saved.`, "ok");
  await reload();
}

async function deleteCategory(ctx, category, problem, reload) {
  if (!(await confirmAction({ message: `Delete the category "${category.name}"?`, confirm: "Delete" }))) return;
  problem.clear();
  try {
    await ctx.api.del(`/api/knowledge/categories/${encodeURIComponent(category.id)}`);
    toast(`${category.name} deleted.`, "ok");
    await reload();
  } catch (error) {
    problem.show(error);
  }
}

function categoryRow(category) {
  return h(
    "tr",
    {},
    h("th", { scope: "row", class: "name" }, category.name),
    h("td", {}, String(category.order)),
    h("td", {}, String(category.articles)),
    h(
      "td",
      { class: "row-actions" },
      rowButton("Edit", `Edit ${category.name}`, "edit"),
      rowButton("Delete", `Delete ${category.name}`, "delete", "danger"),
    ),
  );
}

export const kbCategoriesView = {
  id: "kb-categories",
  title: "Knowledge categories",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    const list = new KeyedTable({
      caption: "Knowledge-base categories",
      columns: ["Category", "Order", "Articles", ""],
      className: "kb-categories-table",
      empty: "No categories yet: add one before the first article.",
      key: (category) => category.id,
      item: categoryRow,
      on: {
        click: {
          edit: (category) => editDialog(ctx, category, reload),
          delete: (category) => deleteCategory(ctx, category, list.problem, reload),
        },
      },
    });
    const reload = () => list.load(() => ctx.api.get("/api/knowledge/categories"));
    replace(
      root,
      viewHead("Knowledge categories", "What the portal's help articles are grouped under, in this order."),
      createForm(ctx, reload),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
