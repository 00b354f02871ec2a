// An automation rule's editor (#/automation/<id>, #/automation/new): its name, description and
// trigger (with the hours or days a time-based one waits), "Active", "Ignore flow" and "Stop
// processing further rules"; its conditions (all must hold) and its "any of" groups (one of each
// must hold), each a property, an operator that fits it and a value that fits both; its actions,
// each a kind and its parameters. What fits what comes from GET /api/automation/options (the
// engine's own tables), never from a copy here. Saved whole: POST /api/automation/rules, or PUT
// with the revision read (someone else's save meanwhile is refused and said). What the server
// refuses is said next to the condition, group or action it names, else at the end of the form.
//
// "Test against a ticket" sends what the editor holds now, saved or not, with a ticket's number
// (POST /api/automation/test): the evaluation as if the rule's trigger fired on the ticket as it
// is; nothing is sent or changed.

import { field, h, replace, toast, uid } from "../dom.js";
import { ErrorMessage } from "../errors.js";
import {
  actionName,
  humanized,
  operatorName,
  propertyName,
  recipientName,
  triggerName,
} from "../helpdesk/automation-words.js";
import { evaluationNode, triggersWords } from "../helpdesk/ticket-automation.js";
import { LEVELS, PRIORITIES, SOURCES, STATUSES } from "../helpdesk/ticket-words.js";
import { copyBlock, Form } from "./ui.js";

const MAX_CONDITIONS = 20;
const MAX_GROUPS = 5;
const MAX_GROUP_CONDITIONS = 10;
const MAX_ACTIONS = 20;
const ROUND_ROBIN = { value: "round_robin", label: "Round robin (online members)" };

// --- what the editor offers: the API's options, read once --------------------------------

/**
 * GET /api/automation/options as the editor reads it: triggers {kind, takes: hours|days|null},
 * properties {property, kind, operators, choices, needs_field}, operators {operator, operand:
 * none|one|many|number|hours}, actions {kind, parameters, choices: {parameter: [values]}, sets};
 * each given its words here (automation-words.js).
 */
function readOptions(raw, sources) {
  /** {value, label} for the values the API lists, worded as the console words them where it knows them. */
  const worded = (values, known, label = humanized) =>
    values?.length
      ? values.map((value) => ({
          value,
          label: known?.find((choice) => choice.value === value)?.label || label(value),
        }))
      : null;
  const triggers = raw.triggers.map((trigger) => ({
    kind: trigger.kind,
    label: triggerName(trigger.kind),
    needs: trigger.takes || null,
  }));
  const operators = new Map(
    raw.operators.map((operator) => [
      operator.operator,
      { operator: operator.operator, label: operatorName(operator.operator), takes: operator.operand },
    ]),
  );
  const properties = new Map(
    raw.properties.map((property) => [
      property.property,
      {
        property: property.property,
        label: propertyName(property.property),
        kind: property.kind,
        operators: property.operators,
        choices: worded(property.choices, sources[property.property]) || sources[property.property] || null,
        needsField: Boolean(property.needs_field),
      },
    ]),
  );
  const actions = new Map(
    raw.actions.map((action) => [
      action.kind,
      {
        kind: action.kind,
        label: actionName(action.kind),
        sets: action.sets,
        parameters: action.parameters.map((name) => ({
          name,
          choices:
            name === "to"
              ? worded(action.choices?.[name], null, (to) => recipientName(action.kind, to))
              : worded(action.choices?.[name], sources[action.sets]),
        })),
      },
    ]),
  );
  return { triggers, operators, properties, actions };
}

/** The choices a property's value (or a set_ action's) is picked from, by what the console knows. */
function choiceSources(known) {
  const named = (things) => things.map((thing) => ({ value: thing.id, label: thing.name }));
  return {
    status: STATUSES,
    priority: PRIORITIES,
    impact: LEVELS,
    urgency: LEVELS,
    source: Object.entries(SOURCES).map(([value, label]) => ({ value, label })),
    category: named(known.categories),
    company: named(known.companies),
    team: named(known.teams),
    assignee: named(known.staff.filter((user) => user.active !== false)),
    product_areas: named(known.areas),
  };
}

// --- small controls ------------------------------------------------------------------------

/** A checkbox's label with its hint under it, the hint describing the checkbox. */
function flag(label, input, hint) {
  const hintId = uid("hint");
  input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, label, h("small", { class: "hint", id: hintId }, hint));
}

function selectOf(choices, chosen, props = {}) {
  const wanted = chosen === null || chosen === undefined ? "" : String(chosen);
  return h(
    "select",
    props,
    choices.map((choice) =>
      h("option", { value: choice.value, selected: String(choice.value) === wanted }, choice.label),
    ),
  );
}

function pickOne(choices) {
  return [{ value: "", label: "Choose…" }, ...choices];
}

/** Words typed as a list: separated by commas (tags), or one per line. */
function listOf(text, separator) {
  return text
    .split(separator)
    .map((part) => part.trim())
    .filter(Boolean);
}

/** A value control: {node, read()}; `value` is the condition's or the action's value so far. */
function valueControl(mode, value) {
  switch (mode.kind) {
    case "none":
      return { node: null, read: () => null };
    case "hours": {
      const input = h("input", { type: "number", min: 1, step: 1, value: typeof value === "number" ? value : "" });
      return { node: field("Hours", input), read: () => (input.value === "" ? null : Number(input.value)) };
    }
    case "number": {
      const input = h("input", { type: "number", step: "any", value: value ?? "" });
      return { node: field("Value", input), read: () => (input.value === "" ? null : Number(input.value)) };
    }
    case "choice": {
      const control = selectOf(pickOne(mode.choices), Array.isArray(value) ? value[0] : value);
      return { node: field("Value", control), read: () => control.value || null };
    }
    case "choices": {
      const chosen = new Set((Array.isArray(value) ? value : [value]).map(String));
      const inputs = mode.choices.map((choice) =>
        h("input", { type: "checkbox", value: choice.value, checked: chosen.has(String(choice.value)) }),
      );
      const node = h(
        "fieldset",
        { class: "checks" },
        h("legend", {}, "Values"),
        mode.choices.length
          ? mode.choices.map((choice, index) => h("label", { class: "check" }, inputs[index], choice.label))
          : h("p", { class: "muted" }, "None to choose from."),
      );
      return { node, read: () => inputs.filter((input) => input.checked).map((input) => input.value) };
    }
    case "tags": {
      const input = h("input", { value: Array.isArray(value) ? value.join(", ") : value || "", autocomplete: "off" });
      return mode.many
        ? { node: field("Tags", input, "Separate tags with commas."), read: () => listOf(input.value, ",") }
        : { node: field("Tag", input), read: () => input.value.trim() };
    }
    case "lines": {
      const area = h("textarea", { rows: 3, value: Array.isArray(value) ? value.join("\n") : value || "" });
      return { node: field("Values", area, "One per line."), read: () => listOf(area.value, "\n") };
    }
    default: {
      const input = h("input", { value: Array.isArray(value) ? value.join(", ") : (value ?? ""), autocomplete: "off" });
      return { node: field("Value", input), read: () => input.value };
    }
  }
}

/** The value a condition takes, for its property and operator. */
function conditionValueMode(property, operator) {
  const takes = operator?.takes || "one";
  if (takes === "none") return { kind: "none" };
  if (takes === "hours") return { kind: "hours" };
  if (property.property === "tags") return { kind: "tags", many: takes === "many" };
  if (property.choices) return { kind: takes === "many" ? "choices" : "choice", choices: property.choices };
  if (takes === "many") return { kind: "lines" };
  if (takes === "number") return { kind: "number" };
  return { kind: "text" };
}

// --- a condition, a list of them, the any-of groups -------------------------------------

function conditionEditor(env, condition, onRemove) {
  const { options } = env;
  const legend = h("legend", {});
  const property = selectOf(
    pickOne([...options.properties.values()].map((p) => ({ value: p.property, label: p.label }))),
    condition?.property,
  );
  const fieldChoice = selectOf(pickOne(env.categoryFields), condition?.field);
  const fieldBox = field("Category field", fieldChoice);
  const operator = h("select", {});
  const valueBox = h("div", { class: "condition-value" });
  const remove = h("button", { type: "button", class: "small ghost" }, "Remove");
  const slot = h("small", { class: "error field-error", id: uid("error"), hidden: true });
  let value = { read: () => null };
  let lastValue = condition?.value ?? null;

  const chosenProperty = () => options.properties.get(property.value);
  const chosenOperator = () => options.operators.get(operator.value);

  function showOperators(wanted) {
    const fits = chosenProperty()?.operators || [];
    replace(
      operator,
      fits.map((name) =>
        h("option", { value: name, selected: name === wanted }, options.operators.get(name)?.label || humanized(name)),
      ),
    );
    operator.disabled = !fits.length;
  }

  function showValue() {
    const fits = chosenProperty();
    fieldBox.hidden = !fits?.needsField;
    if (!fits) {
      valueBox.replaceChildren();
      value = { read: () => null };
      return;
    }
    value = valueControl(conditionValueMode(fits, chosenOperator()), lastValue);
    valueBox.replaceChildren(...[value.node].filter(Boolean));
  }

  property.addEventListener("change", () => {
    lastValue = null;
    showOperators(operator.value);
    showValue();
  });
  operator.addEventListener("change", () => {
    lastValue = value.read();
    showValue();
  });
  showOperators(condition?.operator);
  showValue();

  const element = h(
    "fieldset",
    { class: "rule-part condition" },
    legend,
    h(
      "div",
      { class: "row" },
      field("Property", property),
      fieldBox,
      field("Operator", operator),
      valueBox,
      h("div", { class: "field part-actions" }, remove),
    ),
    slot,
  );
  element.setAttribute("aria-describedby", slot.id);
  remove.addEventListener("click", () => onRemove(editor));
  const editor = {
    element,
    slot,
    focus: () => property.focus(),
    name(label) {
      legend.textContent = label;
      remove.setAttribute("aria-label", `Remove ${label.charAt(0).toLowerCase()}${label.slice(1)}`);
    },
    read() {
      const read = { property: property.value, operator: operator.value, value: value.read() };
      if (chosenProperty()?.needsField) read.field = fieldChoice.value || null;
      return read;
    },
  };
  return editor;
}

/** Conditions edited in a list: add, remove; `name(index)` says what the n-th is called. */
class ConditionList {
  constructor(env, conditions, { max, addLabel, naming, changed }) {
    this.env = env;
    this.max = max;
    this.naming = naming;
    this.changed = changed;
    this.editors = [];
    this.list = h("div", { class: "rule-parts" });
    this.add = h("button", { type: "button", class: "small" }, addLabel);
    this.add.addEventListener("click", () => this.push(null).focus());
    for (const condition of conditions) this.push(condition);
  }

  push(condition) {
    const editor = conditionEditor(this.env, condition, (gone) => {
      this.editors.splice(this.editors.indexOf(gone), 1);
      gone.element.remove();
      this.renumber();
      this.add.focus();
    });
    this.editors.push(editor);
    this.list.append(editor.element);
    this.renumber();
    return editor;
  }

  renumber() {
    this.editors.forEach((editor, index) => {
      editor.name(this.naming(index));
    });
    this.add.disabled = this.editors.length >= this.max;
    this.changed();
  }

  read() {
    return this.editors.map((editor) => editor.read());
  }
}

// --- an action --------------------------------------------------------------------------

const PARAMETER_LABELS = {
  to: "Recipients",
  template_id: "Email template",
  address: "Address",
  value: "Set to",
  tags: "Tags",
  body: "Note",
  quick_reply_id: "Quick reply",
  message: "Message",
  url: "Webhook URL",
};

/** The note under a webhook's URL: how a receiver checks a call is Deskless', and its secret. */
function webhookNote(ctx) {
  const place = h("div", {});
  const show = h("button", { type: "button", class: "small" }, "Show the webhook secret");
  const problem = new ErrorMessage();
  show.addEventListener("click", async () => {
    show.disabled = true;
    problem.clear();
    try {
      const { secret } = await ctx.api.get("/api/automation/webhook-secret");
      place.replaceChildren(copyBlock("Webhook secret", secret));
      show.hidden = true;
    } catch (error) {
      problem.show(error);
      show.disabled = false;
    }
  });
  return h(
    "div",
    { class: "webhook-note" },
    h(
      "p",
      { class: "hint" },
      "Deskless posts the ticket, the change and the rule as JSON, signed in the header ",
      h("code", {}, "X-Deskless-Signature: t=<unix time>,v1=<signature>"),
      ": the signature is the hex HMAC-SHA256 of ",
      h("code", {}, "<t>.<body>"),
      " with the webhook secret as its key. The receiver computes it again and compares.",
    ),
    show,
    problem.node,
    place,
  );
}

/** A control for one parameter of an action; `read()` gives its value, or undefined when not sent. */
function parameterControl(env, action, parameter, value) {
  const { known, sources } = env;
  const label = PARAMETER_LABELS[parameter.name] || humanized(parameter.name);
  const select = (choices) => {
    const control = selectOf(pickOne(choices), value);
    return { node: field(label, control), control, read: () => control.value || null };
  };
  switch (parameter.name) {
    case "to":
      return select(parameter.choices || []);
    case "template_id":
      return select(known.templates.map((template) => ({ value: template.id, label: template.name })));
    case "quick_reply_id":
      return select(
        known.replies.filter((reply) => reply.shared).map((reply) => ({ value: reply.id, label: replyTitle(reply) })),
      );
    case "value": {
      const choices = parameter.choices || sources[action.sets] || [];
      return select(action.kind === "set_assignee" ? [ROUND_ROBIN, ...choices] : choices);
    }
    case "tags": {
      const input = h("input", { value: (value || []).join(", "), autocomplete: "off" });
      return { node: field(label, input, "Separate tags with commas."), read: () => listOf(input.value, ",") };
    }
    case "body":
    case "message": {
      const area = h("textarea", {
        rows: 3,
        value: value || "",
        maxLength: parameter.name === "message" ? 500 : 10000,
      });
      return { node: field(label, area), read: () => area.value };
    }
    case "url": {
      const input = h("input", { type: "url", value: value || "", autocomplete: "off", placeholder: "https://" });
      return { node: h("div", {}, field(label, input), webhookNote(env.ctx)), read: () => input.value.trim() };
    }
    case "address": {
      const input = h("input", { type: "email", value: value || "", autocomplete: "off" });
      return { node: field(label, input), read: () => input.value.trim() };
    }
    default: {
      const input = h("input", { value: value ?? "" });
      return { node: field(label, input), read: () => input.value };
    }
  }
}

function replyTitle(reply) {
  const variants = reply.variants || {};
  return (variants.en || Object.values(variants)[0])?.title || "Quick reply";
}

function actionEditor(env, action, onRemove) {
  const { options } = env;
  const legend = h("legend", {});
  const kind = selectOf(
    pickOne([...options.actions.values()].map((a) => ({ value: a.kind, label: a.label }))),
    action?.kind,
  );
  const parameters = h("div", { class: "row action-parameters" });
  const remove = h("button", { type: "button", class: "small ghost" }, "Remove");
  const slot = h("small", { class: "error field-error", id: uid("error"), hidden: true });
  let controls = [];

  function showParameters(values) {
    const chosen = options.actions.get(kind.value);
    controls = (chosen?.parameters || []).map((parameter) => ({
      parameter,
      ...parameterControl(env, chosen, parameter, values?.[parameter.name]),
    }));
    parameters.replaceChildren(...controls.map((control) => control.node));
    const to = controls.find((control) => control.parameter.name === "to");
    const address = controls.find((control) => control.parameter.name === "address");
    if (to && address) {
      const showAddress = () => {
        address.node.hidden = to.control.value !== "address";
      };
      to.control.addEventListener("change", showAddress);
      showAddress();
    }
  }

  kind.addEventListener("change", () => showParameters(null));
  showParameters(action);
  const element = h(
    "fieldset",
    { class: "rule-part action" },
    legend,
    h("div", { class: "row" }, field("Kind", kind), h("div", { class: "field part-actions" }, remove)),
    parameters,
    slot,
  );
  element.setAttribute("aria-describedby", slot.id);
  remove.addEventListener("click", () => onRemove(editor));
  const editor = {
    element,
    slot,
    focus: () => kind.focus(),
    name(label) {
      legend.textContent = label;
      remove.setAttribute("aria-label", `Remove ${label.charAt(0).toLowerCase()}${label.slice(1)}`);
    },
    read() {
      const read = { kind: kind.value };
      for (const { parameter, node, read: value } of controls) {
        if (node.hidden) continue;
        read[parameter.name] = value();
      }
      return read;
    },
  };
  return editor;
}

// --- the page ---------------------------------------------------------------------------

async function loadEverything(ctx, ruleId) {
  const [options, teams, categories, companies, staff, templates, replies, areas, rule] = await Promise.all([
    ctx.api.get("/api/automation/options"),
    ctx.api.get("/api/teams"),
    ctx.api.get("/api/ticket-categories"),
    ctx.api.get("/api/companies"),
    ctx.api.get("/api/staff"),
    ctx.api.get("/api/email-templates"),
    ctx.api.get("/api/quick-replies"),
    ctx.api.get("/api/product-areas"),
    ruleId ? ctx.api.get(`/api/automation/rules/${encodeURIComponent(ruleId)}`) : null,
  ]);
  const known = { teams, categories, companies, staff, templates, replies, areas };
  return { options, known, rule };
}

/** Each field of every category, to pick for a "category field" condition (by its key). */
function categoryFieldsOf(categories) {
  const seen = new Map();
  for (const category of categories) {
    for (const field of category.fields || []) {
      const question = field.labels?.en || field.key;
      if (!seen.has(field.key)) seen.set(field.key, { value: field.key, label: `${question} (${category.name})` });
    }
  }
  return [...seen.values()];
}

function ruleForm(env, rule, done) {
  const { ctx, options } = env;
  const form = new Form({ class: "rule-form", "aria-labelledby": "rule-editor-title" });
  const name = h("input", { value: rule?.name || "", required: true, maxLength: 100 });
  const description = h("textarea", { rows: 2, value: rule?.description || "", maxLength: 1000 });
  const trigger = selectOf(
    pickOne(options.triggers.map((t) => ({ value: t.kind, label: t.label }))),
    rule?.trigger.kind,
  );
  const hours = h("input", { type: "number", min: 1, max: 8760, step: 1, value: rule?.trigger.hours ?? "" });
  const days = h("input", { type: "number", min: 1, max: 365, step: 1, value: rule?.trigger.days ?? "" });
  const hoursBox = form.field("trigger.hours", "Hours without a public reply", hours);
  const daysBox = form.field("trigger.days", "Days pending", days);
  const needs = () => options.triggers.find((t) => t.kind === trigger.value)?.needs;
  const showTrigger = () => {
    hoursBox.hidden = needs() !== "hours";
    daysBox.hidden = needs() !== "days";
  };
  trigger.addEventListener("change", showTrigger);
  showTrigger();
  const active = h("input", { type: "checkbox", role: "switch", checked: Boolean(rule?.active) });
  const ignoreFlow = h("input", { type: "checkbox", checked: Boolean(rule?.ignore_flow) });
  const stop = h("input", { type: "checkbox", checked: Boolean(rule?.stop_processing) });

  // conditions, groups and actions: their slots are registered by their place, again whenever they move
  const register = () => {
    for (const key of [...form.slots.keys()])
      if (/^(conditions|any_groups|actions)\.\d/.test(key)) form.slots.delete(key);
    conditions?.editors.forEach((editor, index) => {
      form.slots.set(`conditions.${index}`, { slot: editor.slot, control: editor.element });
    });
    groups.forEach((group, number) => {
      form.slots.set(`any_groups.${number}`, { slot: group.slot, control: group.element });
      group.conditions.editors.forEach((editor, index) => {
        form.slots.set(`any_groups.${number}.${index}`, { slot: editor.slot, control: editor.element });
      });
    });
    actions.forEach((editor, index) => {
      form.slots.set(`actions.${index}`, { slot: editor.slot, control: editor.element });
    });
  };

  const groups = [];
  const actions = [];
  let conditions = null;
  conditions = new ConditionList(env, rule?.conditions || [], {
    max: MAX_CONDITIONS,
    addLabel: "Add a condition",
    naming: (index) => `Condition ${index + 1}`,
    changed: register,
  });
  const conditionsBox = form.group(
    "conditions",
    h(
      "fieldset",
      { class: "list-field" },
      h("legend", {}, "All of these must hold"),
      h("p", { class: "hint" }, "No condition: the rule holds whenever its trigger fires."),
      conditions.list,
      conditions.add,
    ),
  );

  const groupList = h("div", { class: "rule-groups" });
  const addGroup = h("button", { type: "button", class: "small" }, "Add an any-of group");
  const renumberGroups = () => {
    groups.forEach((group, number) => {
      group.name(number);
    });
    addGroup.disabled = groups.length >= MAX_GROUPS;
    register();
  };
  const pushGroup = (members) => {
    const legend = h("legend", {});
    const removeGroup = h("button", { type: "button", class: "small danger" }, "Remove group");
    const slot = h("small", { class: "error field-error", id: uid("error"), hidden: true });
    const group = { legend, slot, number: 0 };
    group.conditions = new ConditionList(env, members, {
      max: MAX_GROUP_CONDITIONS,
      addLabel: "Add a condition to this group",
      naming: (index) => `Any-of group ${group.number + 1}, condition ${index + 1}`,
      changed: register,
    });
    group.element = h(
      "fieldset",
      { class: "rule-group", "aria-describedby": slot.id },
      legend,
      h("p", { class: "hint" }, "At least one of these must hold."),
      group.conditions.list,
      h("div", { class: "actions" }, group.conditions.add, removeGroup),
      slot,
    );
    group.name = (number) => {
      group.number = number;
      legend.textContent = `Any-of group ${number + 1}`;
      group.conditions.add.setAttribute("aria-label", `Add a condition to any-of group ${number + 1}`);
      removeGroup.setAttribute("aria-label", `Remove any-of group ${number + 1}`);
      group.conditions.renumber();
    };
    removeGroup.addEventListener("click", () => {
      groups.splice(groups.indexOf(group), 1);
      group.element.remove();
      renumberGroups();
      addGroup.focus();
    });
    groups.push(group);
    groupList.append(group.element);
    renumberGroups();
    return group;
  };
  addGroup.addEventListener("click", () => {
    const group = pushGroup([null]);
    group.conditions.editors[0].focus();
  });
  for (const members of rule?.any_groups || []) pushGroup(members);
  const groupsBox = form.group(
    "any_groups",
    h(
      "fieldset",
      { class: "list-field" },
      h("legend", {}, "Any-of groups"),
      h("p", { class: "hint" }, "In each group, at least one condition must hold (besides all the conditions above)."),
      groupList,
      addGroup,
    ),
  );

  const actionList = h("div", { class: "rule-parts" });
  const addAction = h("button", { type: "button", class: "small" }, "Add an action");
  const renumberActions = () => {
    actions.forEach((editor, index) => {
      editor.name(`Action ${index + 1}`);
    });
    addAction.disabled = actions.length >= MAX_ACTIONS;
    register();
  };
  const pushAction = (action) => {
    const editor = actionEditor(env, action, (gone) => {
      actions.splice(actions.indexOf(gone), 1);
      gone.element.remove();
      renumberActions();
      addAction.focus();
    });
    actions.push(editor);
    actionList.append(editor.element);
    renumberActions();
    return editor;
  };
  addAction.addEventListener("click", () => pushAction(null).focus());
  for (const action of rule?.actions?.length ? rule.actions : [null]) pushAction(action);
  const actionsBox = form.group(
    "actions",
    h(
      "fieldset",
      { class: "list-field" },
      h("legend", {}, "When the rule holds, in this order"),
      actionList,
      addAction,
    ),
  );

  const content = () => ({
    name: name.value,
    description: description.value,
    trigger: {
      kind: trigger.value,
      hours: needs() === "hours" && hours.value !== "" ? Number(hours.value) : null,
      days: needs() === "days" && days.value !== "" ? Number(days.value) : null,
    },
    active: active.checked,
    ignore_flow: ignoreFlow.checked,
    stop_processing: stop.checked,
    conditions: conditions.read(),
    any_groups: groups.map((group) => group.conditions.read()),
    actions: actions.map((editor) => editor.read()),
  });

  form.element.append(
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Rule"),
      h(
        "div",
        { class: "row" },
        form.field("name", "Rule name", name),
        form.field("trigger", "Trigger", trigger, "When the rule is looked at."),
        hoursBox,
        daysBox,
      ),
      form.field("description", "Description", description, "What the rule is for (optional)."),
      h(
        "div",
        { class: "rule-flags" },
        flag(h("label", { class: "switch" }, active, "Active"), active, "Inactive rules do nothing."),
        flag(
          h("label", { class: "check" }, ignoreFlow, "Ignore flow"),
          ignoreFlow,
          "Apply this rule's values even when an earlier rule set the same thing.",
        ),
        flag(
          h("label", { class: "check" }, stop, "Stop processing further rules"),
          stop,
          "When this rule holds, the rules after it are not looked at.",
        ),
      ),
    ),
    h("section", { class: "card" }, h("h2", {}, "Conditions"), conditionsBox, groupsBox),
    h("section", { class: "card" }, h("h2", {}, "Actions"), actionsBox),
    form.problem.node,
    h(
      "div",
      { class: "actions" },
      h("a", { class: "button", href: "#/automation" }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, rule ? "Save rule" : "Create rule"),
    ),
  );
  form.onSubmit(async () => {
    const saved = rule
      ? await ctx.api.put(`/api/automation/rules/${encodeURIComponent(rule.id)}`, {
          ...content(),
          revision: rule.revision,
        })
      : await ctx.api.post("/api/automation/rules", content());
    done(saved);
  });
  return { form, content, focus: () => name.focus() };
}

/** "Test against a ticket": the editor's content as it is now, run on a ticket; nothing changes. */
function testPanel(env, editor) {
  const { ctx } = env;
  const number = h("input", { type: "number", min: 1, step: 1, inputMode: "numeric" });
  const run = h("button", { type: "submit", class: "primary" }, "Run the test");
  const problem = new ErrorMessage();
  const result = h("div", { class: "test-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "admin-form", noValidate: true },
    h("div", { class: "row" }, field("Ticket number", number), h("div", { class: "field part-actions" }, run)),
    problem.node,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.clear();
    editor.form.clear();
    if (!/^\d+$/.test(number.value)) {
      problem.show("Give the number of an existing ticket.");
      number.focus();
      return;
    }
    run.disabled = true;
    try {
      const evaluation = await ctx.api.post("/api/automation/test", {
        rule: editor.content(),
        ticket: Number(number.value),
      });
      replace(
        result,
        h("h3", {}, `On ticket #${number.value}`),
        h("p", {}, `As if its trigger fired: ${triggersWords(evaluation.triggers)}.`),
        evaluationNode(evaluation),
      );
    } catch (error) {
      result.replaceChildren();
      if (error.details?.length) {
        editor.form.show(error);
        editor.form.problem.show("The test could not run: see what is marked.");
      }
      problem.show(error, "The test could not run");
    } finally {
      run.disabled = false;
    }
  });
  return h(
    "section",
    { class: "card rule-test", "aria-labelledby": "rule-test-title" },
    h("h2", { id: "rule-test-title" }, "Test against a ticket"),
    h(
      "p",
      { class: "muted" },
      "Runs the rule as it is in the editor, saved or not, as if its trigger fired on the ticket as it is now. Nothing is sent and nothing is changed.",
    ),
    form,
    result,
  );
}

/** The editor's page: `ruleId` to edit a rule, null for a new one. */
export function mountRuleEditor(root, ctx, ruleId) {
  const heading = h("h1", { id: "rule-editor-title" }, ruleId ? "Edit rule" : "New rule");
  const place = h("div", {}, h("p", { class: "muted", role: "status" }, "Loading…"));
  replace(root, h("p", {}, h("a", { href: "#/automation" }, "← Automation rules")), heading, place);
  loadEverything(ctx, ruleId)
    .then(({ options, known, rule }) => {
      const sources = choiceSources(known);
      const env = {
        ctx,
        options: readOptions(options, sources),
        known,
        sources,
        categoryFields: categoryFieldsOf(known.categories),
      };
      if (rule) heading.textContent = `Edit ${rule.name}`;
      const editor = ruleForm(env, rule, (saved) => {
        toast(rule ? `${saved.name} saved.` : `${saved.name} created.`, "ok");
        location.hash = "#/automation";
      });
      place.replaceChildren(editor.form.element, testPanel(env, editor));
      editor.focus();
    })
    .catch((error) => {
      const problem = new ErrorMessage();
      problem.show(error, ruleId ? "The rule could not be loaded" : "The editor could not be loaded");
      place.replaceChildren(problem.node);
    });
}
