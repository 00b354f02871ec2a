// Product areas: the parts of the product a customer may say a ticket is about (GET/POST
// /api/product-areas, PATCH/DELETE /api/product-areas/{id}). Listed by their order, then name.

import { confirmAction, formDialog } from "../dialogs.js";
import { h, replace, toast } from "../dom.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { Form, viewHead } from "./ui.js";

function orderInput(value) {
  return h("input", { type: "number", name: "order", min: 0, max: 10000, step: 1, value: String(value ?? 0) });
}

function areaFields(form, area) {
  const name = h("input", { name: "name", value: area?.name || "", required: true, maxLength: 100 });
  const order = orderInput(area?.order);
  return {
    name,
    element: h(
      "div",
      { class: "row" },
      form.field("name", "Name", name),
      form.field("order", "Order", order, "Lower comes first (0–10000); equal ones by name."),
    ),
    body: () => ({ name: name.value, order: order.value === "" ? "" : Number(order.value) }),
  };
}

function createForm(ctx, reload) {
  const form = new Form({ "aria-labelledby": "new-area-title" });
  const fields = areaFields(form, null);
  form.element.append(
    h("h2", { id: "new-area-title" }, "Add a product area"),
    fields.element,
    form.problem.node,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add product area")),
  );
  form.onSubmit(async () => {
    const added = await ctx.api.post("/api/product-areas", fields.body());
    form.element.reset();
    toast(`${added.name} added.`, "ok");
    await reload();
    fields.name.focus();
  });
  return h("section", { class: "card" }, form.element);
}

async function editDialog(ctx, area, reload) {
  const form = new Form();
  const fields = areaFields(form, area);
  const saved = await formDialog({
    title: `Edit ${area.name}`,
    form,
    fields: fields.element,
    focus: fields.name,
    save: () => ctx.api.patch(`/api/product-areas/${encodeURIComponent(area.id)}`, fields.body()),
  });
  if (!saved) return;
  toast(`${saved.name} saved.`, "ok");
  await reload();
}

async function deleteArea(ctx, area, problem, reload) {
  const message = `Delete the product area "${area.name}"? Tickets that name it keep it.`;
  if (!(await confirmAction({ message, confirm: "Delete" }))) return;
  problem.clear();
  try {
    await ctx.api.del(`/api/product-areas/${encodeURIComponent(area.id)}`);
    toast(`${area.name} deleted.`, "ok");
    await reload();
  } catch (error) {
    problem.show(error);
  }
}

function areaRow(area) {
  return h(
    "tr",
    {},
    h("th", { scope: "row", class: "name" }, area.name),
    h("td", {}, String(area.order)),
    h(
      "td",
      { class: "row-actions" },
      rowButton("Edit", `Edit ${area.name}`, "edit"),
      rowButton("Delete", `Delete ${area.name}`, "delete", "danger"),
    ),
  );
}

export const productAreasView = {
  id: "product-areas",
  title: "Product areas",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    const list = new KeyedTable({
      caption: "Product areas",
      columns: ["Product area", "Order", ""],
      className: "areas-table",
      empty: "No product areas yet.",
      key: (area) => area.id,
      item: areaRow,
      on: {
        click: {
          edit: (area) => editDialog(ctx, area, reload),
          delete: (area) => deleteArea(ctx, area, list.problem, reload),
        },
      },
    });
    const reload = () => list.load(() => ctx.api.get("/api/product-areas"));
    replace(
      root,
      viewHead("Product areas", "The parts of the product a customer may say a ticket is about."),
      createForm(ctx, reload),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
