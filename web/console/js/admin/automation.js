// Automation rules (admins): the rules in the order they run (GET /api/automation/rules), each
// with its trigger and an active switch (PATCH with the revision read), moved up or down by its
// buttons or dragged to its place (PUT /api/automation/order with the order's revision: if someone
// else reordered meanwhile, the list is read again and says so), created, edited and deleted.
// A rule is edited on a page of its own, #/automation/<id> (#/automation/new for a new one):
// rule-editor.js.

import { confirmAction } from "../dialogs.js";
import { h, replace, toast } from "../dom.js";
import { triggerWords } from "../helpdesk/automation-words.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { mountRuleEditor } from "./rule-editor.js";
import { viewHead } from "./ui.js";

const rulePath = (rule) => `/api/automation/rules/${encodeURIComponent(rule.id)}`;

function disabled(button, when) {
  button.disabled = when;
  return button;
}

function ruleRow(rule) {
  const place = rule.position + 1;
  return h(
    "tr",
    { draggable: "true", class: "rule-row" },
    h("td", { class: "rule-place" }, h("span", { class: "drag-handle", "aria-hidden": "true" }, "⠿"), String(place)),
    h("th", { scope: "row", class: "name" }, rule.name, rule.preset ? h("span", { class: "badge" }, "Preset") : null),
    h("td", {}, rule.triggerWords),
    h(
      "td",
      {},
      h(
        "label",
        { class: "switch" },
        h("input", {
          type: "checkbox",
          role: "switch",
          checked: rule.active,
          "aria-label": `${rule.name} active`,
          dataset: { action: "active" },
        }),
        rule.active ? "Active" : "Inactive",
      ),
    ),
    h(
      "td",
      { class: "row-actions" },
      disabled(rowButton("Up", `Move ${rule.name} up`, "up"), rule.first),
      disabled(rowButton("Down", `Move ${rule.name} down`, "down"), rule.last),
      rowButton("Edit", `Edit ${rule.name}`, "edit"),
      rowButton("Delete", `Delete ${rule.name}`, "delete", "danger"),
    ),
  );
}

function mountList(root, ctx) {
  let rules = [];
  let orderRevision = null;
  const list = new KeyedTable({
    caption: "Automation rules, in the order they run",
    columns: ["Order", "Rule", "Trigger", "Active", ""],
    className: "rules-table",
    empty: "No rules yet: create the first one.",
    key: (rule) => rule.id,
    item: ruleRow,
    on: {
      click: {
        up: (rule, button) => move(rule, -1, button),
        down: (rule, button) => move(rule, 1, button),
        edit: (rule) => {
          location.hash = `#/automation/${encodeURIComponent(rule.id)}`;
        },
        delete: (rule) => remove(rule),
      },
      change: { active: (rule, control) => activate(rule, control) },
    },
  });

  /** The rules as listed, with what their rows show. */
  function shown(listed) {
    rules = listed.map((rule, index) => ({
      ...rule,
      triggerWords: triggerWords(rule.trigger),
      first: index === 0,
      last: index === listed.length - 1,
    }));
    orderRevision = orderRevisionOf(listed);
    return rules;
  }

  const reload = () => list.load(async () => shown(await ctx.api.get("/api/automation/rules")));

  /** Store `ids` as the order; a stale order is read again, and the list says so. */
  async function reorder(ids, moved) {
    list.problem.clear();
    try {
      list.render(shown(await ctx.api.put("/api/automation/order", { rule_ids: ids, revision: orderRevision })));
      toast(moved, "ok");
      return true;
    } catch (error) {
      await reload();
      if (error.status === 409)
        list.problem.show("Someone else changed the rules meanwhile: this is their order now. Move the rule again.");
      else list.problem.show(error, "The order was not saved");
      return false;
    }
  }

  async function move(rule, step, button) {
    const ids = rules.map((candidate) => candidate.id);
    const from = ids.indexOf(rule.id);
    const to = from + step;
    if (to < 0 || to >= ids.length) return;
    ids.splice(from, 1);
    ids.splice(to, 0, rule.id);
    button.disabled = true;
    const done = await reorder(ids, `${rule.name} moved ${step < 0 ? "up" : "down"}.`);
    button.disabled = false;
    if (!done) return;
    // the same button again, unless the rule reached an end: then the other one
    const row = list.row(rule.id);
    const again = row?.querySelector(`[data-action="${step < 0 ? "up" : "down"}"]`);
    (again?.disabled ? row.querySelector(`[data-action="${step < 0 ? "down" : "up"}"]`) : again)?.focus();
  }

  async function activate(rule, control) {
    const active = control.checked;
    control.disabled = true;
    list.problem.clear();
    try {
      const saved = await ctx.api.patch(rulePath(rule), { active, revision: rule.revision });
      list.render(shown(rules.map((candidate) => (candidate.id === saved.id ? saved : candidate))));
      list.row(rule.id)?.querySelector('[data-action="active"]')?.focus();
      toast(`${saved.name} ${saved.active ? "activated" : "deactivated"}.`, "ok");
    } catch (error) {
      control.checked = !active;
      control.disabled = false;
      if (error.status === 409) {
        await reload();
        list.problem.show(`Someone else changed ${rule.name} meanwhile: it is shown as it is now. Try again.`);
      } else list.problem.show(error);
    }
  }

  async function remove(rule) {
    if (
      !(await confirmAction({
        message: `Delete the rule "${rule.name}"? It stops running at once.`,
        confirm: "Delete",
      }))
    )
      return;
    list.problem.clear();
    try {
      await ctx.api.del(rulePath(rule));
      toast(`${rule.name} deleted.`, "ok");
    } catch (error) {
      list.problem.show(error);
    }
    await reload();
  }

  dragToReorder(list, () => rules, reorder);
  const create = h(
    "button",
    {
      type: "button",
      class: "primary",
      on: {
        click: () => {
          location.hash = "#/automation/new";
        },
      },
    },
    "New rule",
  );
  replace(
    root,
    viewHead(
      "Automation rules",
      "What happens by itself when a ticket is created or changes, or when time passes. Rules run in this order: when two set the same thing, the earlier one's value stands unless the later one ignores the flow. Drag a rule, or move it up or down.",
      create,
    ),
    h("section", { class: "card" }, list.node),
  );
  reload();
}

/** The order's revision, as the listed rules carry it. */
function orderRevisionOf(listed) {
  return listed[0]?.order_revision ?? null;
}

/**
 * Rows dragged to their place: dropped on the upper half of a row, the dragged rule goes before
 * it; on the lower half, after it. Buttons do the same from the keyboard.
 */
function dragToReorder(list, current, reorder) {
  const body = list.list.root;
  let dragged = null;
  const rowOf = (event) => event.target.closest?.("tr[data-key]");
  const below = (row, event) => event.clientY > row.getBoundingClientRect().top + row.offsetHeight / 2;
  const unmark = () => {
    for (const row of body.querySelectorAll(".drop-before, .drop-after"))
      row.classList.remove("drop-before", "drop-after");
  };
  body.addEventListener("dragstart", (event) => {
    const row = rowOf(event);
    if (!row) return;
    dragged = row.dataset.key;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
  });
  body.addEventListener("dragover", (event) => {
    const row = rowOf(event);
    if (!dragged || !row) return;
    event.preventDefault();
    unmark();
    if (row.dataset.key !== dragged) row.classList.add(below(row, event) ? "drop-after" : "drop-before");
  });
  body.addEventListener("dragleave", (event) => {
    if (!body.contains(event.relatedTarget)) unmark();
  });
  body.addEventListener("dragend", () => {
    unmark();
    body.querySelector(".dragging")?.classList.remove("dragging");
    dragged = null;
  });
  body.addEventListener("drop", async (event) => {
    const row = rowOf(event);
    const moving = dragged;
    unmark();
    if (!moving || !row || row.dataset.key === moving) return;
    event.preventDefault();
    const rules = current();
    const rule = rules.find((candidate) => candidate.id === moving);
    const ids = rules.map((candidate) => candidate.id).filter((id) => id !== moving);
    const target = ids.indexOf(row.dataset.key) + (below(row, event) ? 1 : 0);
    ids.splice(target, 0, moving);
    if (ids.join() === rules.map((candidate) => candidate.id).join()) return;
    await reorder(ids, `${rule.name} moved to place ${target + 1}.`);
  });
}

export const automationView = {
  id: "automation",
  title: "Automation rules",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx, rest = "") {
    if (rest) return mountRuleEditor(root, ctx, rest === "new" ? null : rest);
    return mountList(root, ctx);
  },
};
