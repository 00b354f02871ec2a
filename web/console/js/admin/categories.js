// Ticket categories: what a customer chooses on the ticket form, each with its own fields and a
// default team (GET/POST /api/ticket-categories, GET/PUT/DELETE /api/ticket-categories/{id}).
// A category is saved whole (PUT replaces it with its fields), from the revision it was read at:
// if someone else saved it meanwhile, the API refuses and says so. The list is in the order the
// form shows them; Move up/down renumbers the categories that moved.

import { confirmAction, formDialog } from "../dialogs.js";
import { h, languageName, replace, toast, uid } from "../dom.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { Form, select, viewHead } from "./ui.js";

const KINDS = [
  { value: "short_text", label: "Short text" },
  { value: "long_text", label: "Long text" },
  { value: "number", label: "Number" },
  { value: "single_choice", label: "Single choice" },
  { value: "multiple_choice", label: "Multiple choice" },
  { value: "checkbox", label: "Checkbox" },
  { value: "date", label: "Date" },
];
const CHOICE_KINDS = new Set(["single_choice", "multiple_choice"]);
const TEXT_KINDS = new Set(["short_text", "long_text"]);
const CONTENT = ["name", "labels", "description", "order", "active", "default_team_id", "fields"];
const ORDER_STEP = 10;

/** Only the languages given a text: {en: "…"} without empty ones. */
function given(texts) {
  return Object.fromEntries(Object.entries(texts).filter(([, text]) => text.trim() !== ""));
}

/** A number box read as the API takes it: null when empty. */
function numberOrNull(input) {
  return input.value === "" ? null : Number(input.value);
}

function labelled(label, control) {
  control.id ||= uid("field");
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

/** A choice of a choice field: its key and English label (other languages it had are kept). */
function choiceRow(choice, onRemove) {
  const key = h("input", { value: choice?.key || "", maxLength: 40, spellcheck: false, autocomplete: "off" });
  const label = h("input", { value: choice?.labels?.en || "", maxLength: 80 });
  const remove = h("button", { type: "button", class: "small ghost" }, "Remove");
  const element = h("li", { class: "choice" }, key, label, remove);
  remove.addEventListener("click", () => onRemove(element));
  return {
    element,
    name: (index) => {
      key.setAttribute("aria-label", `Choice ${index} key`);
      label.setAttribute("aria-label", `Choice ${index} label (English)`);
      remove.setAttribute("aria-label", `Remove choice ${index}`);
    },
    read: () => ({ key: key.value.trim(), labels: { ...(choice?.labels || {}), en: label.value } }),
  };
}

/** One field of the category's form, as an admin edits it: {element, read(), renumber(index)}. */
function fieldEditor(languages, field, actions) {
  const legend = h("legend", {});
  const key = h("input", { value: field?.key || "", maxLength: 40, spellcheck: false, autocomplete: "off" });
  const kind = select("kind", KINDS, field?.kind || "short_text");
  const required = h("input", { type: "checkbox", checked: Boolean(field?.required) });
  const labels = Object.fromEntries(
    languages.map((code) => [code, h("input", { value: field?.labels?.[code] || "", maxLength: 80 })]),
  );
  const helps = Object.fromEntries(
    languages.map((code) => [code, h("input", { value: field?.help?.[code] || "", maxLength: 500 })]),
  );
  const maxLength = h("input", { type: "number", min: 1, max: 10000, step: 1, value: field?.max_length ?? "" });
  const minimum = h("input", { type: "number", step: "any", value: field?.minimum ?? "" });
  const maximum = h("input", { type: "number", step: "any", value: field?.maximum ?? "" });
  const choices = [];
  const choiceList = h("ol", { class: "edit-list choices" });
  const renumberChoices = () => {
    choices.forEach((choice, index) => {
      choice.name(index + 1);
    });
  };
  const addChoice = (choice) => {
    const row = choiceRow(choice, (element) => {
      choices.splice(
        choices.findIndex((candidate) => candidate.element === element),
        1,
      );
      element.remove();
      renumberChoices();
      addChoiceButton.focus();
    });
    choices.push(row);
    choiceList.append(row.element);
    renumberChoices();
    return row;
  };
  const addChoiceButton = h("button", { type: "button", class: "small" }, "Add a choice");
  addChoiceButton.addEventListener("click", () => addChoice(null).element.querySelector("input").focus());
  for (const choice of field?.choices || []) addChoice(choice);
  const choicesBox = h("fieldset", { class: "list-field" }, h("legend", {}, "Choices"), choiceList, addChoiceButton);
  const textLimits = labelled("Maximum length", maxLength);
  const numberLimits = h("div", { class: "row" }, labelled("Minimum", minimum), labelled("Maximum", maximum));
  const showKind = () => {
    choicesBox.hidden = !CHOICE_KINDS.has(kind.value);
    textLimits.hidden = !TEXT_KINDS.has(kind.value);
    numberLimits.hidden = kind.value !== "number";
  };
  kind.addEventListener("change", showKind);
  showKind();
  const others = languages.filter((code) => code !== "en");
  const up = h("button", { type: "button", class: "small" }, "Move up");
  const down = h("button", { type: "button", class: "small" }, "Move down");
  const remove = h("button", { type: "button", class: "small danger" }, "Remove field");
  const element = h(
    "fieldset",
    { class: "field-editor" },
    legend,
    h(
      "div",
      { class: "row" },
      labelled("Key", key),
      labelled("Kind", kind),
      h("div", { class: "field" }, h("label", { class: "check" }, required, "Required")),
    ),
    h("div", { class: "row" }, labelled("Question (English)", labels.en), labelled("Help (English)", helps.en)),
    others.length
      ? h(
          "details",
          {},
          h("summary", {}, "Other languages"),
          others.map((code) =>
            h(
              "div",
              { class: "row" },
              labelled(`Question (${languageName(code)})`, labels[code]),
              labelled(`Help (${languageName(code)})`, helps[code]),
            ),
          ),
        )
      : null,
    choicesBox,
    textLimits,
    numberLimits,
    h("div", { class: "actions" }, up, down, remove),
  );
  up.addEventListener("click", () => actions.move(editor, -1, up));
  down.addEventListener("click", () => actions.move(editor, 1, down));
  remove.addEventListener("click", () => actions.remove(editor));
  const editor = {
    element,
    focus: () => key.focus(),
    renumber: (index, count) => {
      legend.textContent = `Field ${index + 1}`;
      up.setAttribute("aria-label", `Move field ${index + 1} up`);
      down.setAttribute("aria-label", `Move field ${index + 1} down`);
      remove.setAttribute("aria-label", `Remove field ${index + 1}`);
      up.disabled = index === 0;
      down.disabled = index === count - 1;
    },
    read: () => {
      const read = {
        key: key.value.trim(),
        kind: kind.value,
        labels: given(Object.fromEntries(languages.map((code) => [code, labels[code].value]))),
        help: given(Object.fromEntries(languages.map((code) => [code, helps[code].value]))),
        required: required.checked,
        choices: CHOICE_KINDS.has(kind.value) ? choices.map((choice) => choice.read()) : [],
      };
      if (TEXT_KINDS.has(kind.value)) read.max_length = numberOrNull(maxLength);
      if (kind.value === "number")
        Object.assign(read, { minimum: numberOrNull(minimum), maximum: numberOrNull(maximum) });
      return read;
    },
  };
  return editor;
}

/** The category's fields: add, remove and move them; read() gives them in order. */
function fieldsEditor(form, languages, fields) {
  const editors = [];
  const list = h("div", { class: "field-editors" });
  const none = h("p", { class: "muted" }, "No fields: the form asks only for a title and a description.");
  const renumber = () => {
    editors.forEach((editor, index) => {
      editor.renumber(index, editors.length);
    });
    none.hidden = editors.length > 0;
  };
  const actions = {
    move: (editor, step, button) => {
      const from = editors.indexOf(editor);
      const to = from + step;
      if (to < 0 || to >= editors.length) return;
      editors.splice(from, 1);
      editors.splice(to, 0, editor);
      list.replaceChildren(...editors.map((candidate) => candidate.element));
      renumber();
      (button.disabled ? editor.element.querySelector("input") : button).focus();
    },
    remove: (editor) => {
      editors.splice(editors.indexOf(editor), 1);
      editor.element.remove();
      renumber();
      add.focus();
    },
  };
  const addEditor = (field) => {
    const editor = fieldEditor(languages, field, actions);
    editors.push(editor);
    list.append(editor.element);
    renumber();
    return editor;
  };
  const add = h("button", { type: "button", on: { click: () => addEditor(null).focus() } }, "Add a field");
  for (const field of fields) addEditor(field);
  const box = h("fieldset", { class: "list-field" }, h("legend", {}, "Fields"), none, list, add);
  form.group("fields", box);
  return { element: box, read: () => editors.map((editor) => editor.read()) };
}

async function categoryDialog(ctx, teams, category, reload, nextOrder) {
  const languages = ctx.config.languages || ["en"];
  const form = new Form();
  const name = h("input", { name: "name", value: category?.name || "", required: true, maxLength: 100 });
  const labels = Object.fromEntries(
    languages.map((code) => [code, h("input", { value: category?.labels?.[code] || "", maxLength: 80 })]),
  );
  const description = h("input", { name: "description", value: category?.description || "", maxLength: 500 });
  const active = h("input", { type: "checkbox", role: "switch", checked: category ? category.active : true });
  const team = select(
    "default_team_id",
    [{ value: "", label: "No default team" }, ...teams.map((option) => ({ value: option.id, label: option.name }))],
    category?.default_team_id || "",
  );
  const labelsBox = h(
    "fieldset",
    { class: "list-field" },
    h("legend", {}, "Name customers read"),
    h(
      "div",
      { class: "row" },
      languages.map((code) => labelled(languageName(code), labels[code])),
    ),
  );
  const fields = fieldsEditor(form, languages, category?.fields || []);
  const saved = await formDialog({
    title: category ? `Edit ${category.name}` : "New category",
    form,
    fields: [
      h(
        "div",
        { class: "row" },
        form.field("name", "Category name", name, "What staff call it; customers read the name in their language."),
        form.field("default_team_id", "Default team", team, "The team a new ticket of this category goes to."),
      ),
      form.group("labels", labelsBox),
      form.field("description", "Description", description, "Shown under the category on the form (optional)."),
      h("div", { class: "field" }, h("label", { class: "switch" }, active, "Offered on the ticket form")),
      fields.element,
    ],
    submit: category ? "Save category" : "Create category",
    focus: name,
    className: "wider",
    save: () => {
      const body = {
        name: name.value,
        labels: given(Object.fromEntries(languages.map((code) => [code, labels[code].value]))),
        description: description.value,
        order: category ? category.order : nextOrder,
        active: active.checked,
        default_team_id: team.value || null,
        fields: fields.read(),
      };
      return category
        ? ctx.api.put(`/api/ticket-categories/${encodeURIComponent(category.id)}`, {
            ...body,
            revision: category.revision,
          })
        : ctx.api.post("/api/ticket-categories", body);
    },
  });
  if (!saved) return;
  toast(category ? `${saved.name} saved.` : `${saved.name} created.`, "ok");
  await reload();
}

/** What PUT takes to store a category again as it is, at a new place in the list. */
function renumbered(category, order) {
  const body = Object.fromEntries(CONTENT.map((name) => [name, category[name]]));
  return { ...body, order, revision: category.revision };
}

/** Move a category up or down: every category whose place number changes is saved again. */
async function move(ctx, categories, category, step, problem, reload) {
  const ordered = [...categories];
  const from = ordered.findIndex((candidate) => candidate.id === category.id);
  const to = from + step;
  if (to < 0 || to >= ordered.length) return;
  ordered.splice(from, 1);
  ordered.splice(to, 0, category);
  problem.clear();
  try {
    for (const [index, candidate] of ordered.entries()) {
      const order = (index + 1) * ORDER_STEP;
      if (candidate.order === order) continue;
      await ctx.api.put(`/api/ticket-categories/${encodeURIComponent(candidate.id)}`, renumbered(candidate, order));
    }
    toast(`${category.name} moved ${step < 0 ? "up" : "down"}.`, "ok");
  } catch (error) {
    problem.show(error);
  }
  await reload();
}

async function deleteCategory(ctx, category, problem, reload) {
  const message = `Delete the category "${category.name}"? Tickets of it keep the values they were given.`;
  if (!(await confirmAction({ message, confirm: "Delete" }))) return;
  problem.clear();
  try {
    await ctx.api.del(`/api/ticket-categories/${encodeURIComponent(category.id)}`);
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
    h(
      "td",
      {},
      category.fields.length
        ? category.fields.map((field) => field.key).join(", ")
        : h("span", { class: "muted" }, "none"),
    ),
    h("td", {}, category.teamName || h("span", { class: "muted" }, "none")),
    h(
      "td",
      {},
      category.active ? h("span", { class: "badge ok" }, "Offered") : h("span", { class: "badge warn" }, "Hidden"),
    ),
    h(
      "td",
      { class: "row-actions" },
      rowButton("Up", `Move ${category.name} up`, "up"),
      rowButton("Down", `Move ${category.name} down`, "down"),
      rowButton("Edit", `Edit ${category.name}`, "edit"),
      rowButton("Delete", `Delete ${category.name}`, "delete", "danger"),
    ),
  );
}

export const categoriesView = {
  id: "categories",
  title: "Ticket categories",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    let teams = [];
    let categories = [];
    const list = new KeyedTable({
      caption: "Ticket categories",
      columns: ["Category", "Fields", "Default team", "Form", ""],
      className: "categories-table",
      empty: "No categories yet: create the first one.",
      key: (category) => category.id,
      item: categoryRow,
      on: {
        click: {
          up: (category) => move(ctx, categories, category, -1, list.problem, reload),
          down: (category) => move(ctx, categories, category, 1, list.problem, reload),
          edit: (category) => categoryDialog(ctx, teams, category, reload),
          delete: (category) => deleteCategory(ctx, category, list.problem, reload),
        },
      },
    });
    const reload = () =>
      list.load(async () => {
        const [listed, known] = await Promise.all([ctx.api.get("/api/ticket-categories"), ctx.api.get("/api/teams")]);
        teams = known;
        create.disabled = false;
        const names = new Map(teams.map((team) => [team.id, team.name]));
        categories = listed.map((category) => ({ ...category, teamName: names.get(category.default_team_id) || "" }));
        return categories;
      });
    const nextOrder = () => (categories.length ? Math.max(...categories.map((c) => c.order)) + ORDER_STEP : 0);
    // enabled once the teams a category may go to are known
    const create = h(
      "button",
      {
        type: "button",
        class: "primary",
        disabled: true,
        on: { click: () => categoryDialog(ctx, teams, null, reload, Math.min(nextOrder(), 10000)) },
      },
      "New category",
    );
    replace(
      root,
      viewHead(
        "Ticket categories",
        "What a customer chooses on the ticket form: each category asks its own questions and goes to its default team.",
        create,
      ),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
