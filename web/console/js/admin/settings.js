// The settings every operator works under (GET/PATCH /api/settings), grouped as admins think of
// them. Save sends only what changed; what the API refuses is shown next to its field.

import { h, replace, uid } from "../dom.js";
import { EMAIL_SETTINGS } from "./email-settings.js";
import { Form, loadInto, saveChangedSettings, select, viewHead } from "./ui.js";

const MAX_AWAY_REASONS = 10;

// Each setting: its label, its kind of control, and what it means (deskless/preferences.py).
const GROUPS = [
  {
    title: "Session codes",
    settings: [
      {
        name: "code_limit",
        label: "Code limit",
        kind: "integer",
        min: 1,
        max: 100,
        hint: "Active session codes a technician may hold (1–100). A technician's own limit, set under Staff, comes first.",
      },
      {
        name: "code_lifetime_minutes",
        label: "Code lifetime (minutes)",
        kind: "integer",
        min: 1,
        max: 1440,
        hint: "How long a code stays valid (1–1440 minutes).",
      },
    ],
  },
  {
    title: "Chat",
    settings: [
      {
        name: "chat_wait_seconds",
        label: "Chat wait (seconds)",
        kind: "integer",
        min: 15,
        max: 3600,
        hint: "How long a chat request waits for a technician before the visitor is offered the message form instead (15–3600).",
      },
      {
        name: "chat_limit",
        label: "Chat limit",
        kind: "integer",
        min: 1,
        max: 20,
        hint: "Chats an operator may have open at once (1–20).",
      },
    ],
  },
  {
    title: "Presence",
    settings: [
      {
        name: "auto_away_minutes",
        label: "Auto-away (minutes)",
        kind: "integer",
        min: 0,
        max: 240,
        hint: "Idle minutes after which a console sets its operator away (0–240); 0: never.",
      },
      {
        name: "channels_locked",
        label: "Lock the channels",
        kind: "boolean",
        hint: "Operators cannot switch their channels: every channel assigned to them is on.",
      },
      {
        name: "away_reasons",
        label: "Away reasons",
        kind: "list",
        hint: `Reasons an operator may give for being away, each once, at most ${MAX_AWAY_REASONS} (being away without a reason is always possible).`,
      },
    ],
  },
  {
    title: "Notifications",
    settings: [
      {
        name: "notification_repeat_seconds",
        label: "Repeat notifications (seconds)",
        kind: "integer",
        min: 0,
        max: 600,
        hint: "How often an unseen notification sounds again while the console is not looked at (0–600); 0: once.",
      },
    ],
  },
  {
    title: "Tickets",
    wide: true, // the priority matrix needs the width
    settings: [
      {
        name: "priority_matrix",
        label: "Priority matrix",
        kind: "matrix",
        hint: "The priority a ticket gets from its urgency (rows) and impact (columns). The default is GLPI's.",
      },
      {
        name: "ticket_submission",
        label: "Who may submit tickets",
        kind: "choice",
        options: [
          { value: "everyone", label: "Every contact" },
          { value: "primary_contacts", label: "Primary contacts only" },
        ],
        hint: "A ticket from a contact the policy excludes is recorded and closed at once, with the reason.",
      },
      {
        name: "auto_close_days",
        label: "Close resolved tickets after (days)",
        kind: "integer",
        min: 1,
        max: 90,
        hint: "A resolved ticket the customer does not answer closes after this many days (1–90).",
      },
      {
        name: "automatic_mail_cap",
        label: "Automatic emails per person per ticket per hour",
        kind: "integer",
        min: 1,
        max: 100,
        hint: "At most this many automatic emails to one recipient about one ticket in an hour (1–100); the rest are recorded on the ticket, not sent. This cuts auto-reply loops.",
      },
    ],
  },
  {
    title: "Customer portal",
    settings: [
      {
        name: "customer_session_hours",
        label: "Customer session (hours)",
        kind: "integer",
        min: 1,
        max: 720,
        hint: "How long a contact stays signed in to their portal (1–720 hours).",
      },
      {
        name: "password_link_hours",
        label: "Set-password link (hours)",
        kind: "integer",
        min: 1,
        max: 720,
        hint: "How long the single-use link in a welcome email works (1–720 hours). A link is the safer choice: no password travels by email.",
      },
      {
        name: "temporary_password_hours",
        label: "Temporary password (hours)",
        kind: "integer",
        min: 1,
        max: 720,
        hint: "How long a temporary password works, sent by {[Portal Password]} or made by a technician (1–720 hours); it must be changed at the first sign-in.",
      },
      {
        name: "reset_link_minutes",
        label: "Password-reset link (minutes)",
        kind: "integer",
        min: 10,
        max: 1440,
        hint: "How long the link in a password-reset email works (10–1440 minutes).",
      },
    ],
  },
];

/** A setting the console does not know yet still gets a control, by the kind of its value. */
function describeUnknown(name, value) {
  const kind =
    typeof value === "boolean"
      ? "boolean"
      : Array.isArray(value)
        ? "list"
        : typeof value === "number"
          ? "integer"
          : "text";
  const label = name.replace(/_/g, " ").replace(/^./, (first) => first.toUpperCase());
  return { name, label, kind, hint: "" };
}

function integerControl(form, setting) {
  const input = h("input", {
    type: "number",
    name: setting.name,
    min: setting.min,
    max: setting.max,
    step: 1,
    inputMode: "numeric",
  });
  return {
    element: form.field(setting.name, setting.label, input, setting.hint),
    // an empty or fractional box is sent as it is: the API names what is wrong with it
    read: () => (input.value === "" ? "" : Number(input.value)),
    write: (value) => {
      input.value = String(value);
    },
  };
}

function textControl(form, setting) {
  const input = h("input", { name: setting.name });
  return {
    element: form.field(setting.name, setting.label, input, setting.hint),
    read: () => input.value,
    write: (value) => {
      input.value = value ?? "";
    },
  };
}

function booleanControl(form, setting) {
  const input = h("input", { type: "checkbox", role: "switch", name: setting.name });
  const hintId = uid("hint");
  input.setAttribute("aria-describedby", hintId);
  return {
    element: h(
      "div",
      { class: "field" },
      h("label", { class: "switch" }, input, setting.label),
      h("small", { class: "hint", id: hintId }, setting.hint),
      form.slot(setting.name, input),
    ),
    read: () => input.checked,
    write: (value) => {
      input.checked = Boolean(value);
    },
  };
}

function listControl(form, setting) {
  const rows = h("ul", { class: "edit-list" });
  const add = h("button", { type: "button", class: "small" }, "Add a reason");
  const inputs = () => [...rows.querySelectorAll("input")];
  const sync = () => {
    add.disabled = inputs().length >= MAX_AWAY_REASONS;
    for (const [index, row] of [...rows.children].entries()) {
      row.querySelector("input").setAttribute("aria-label", `${setting.label}, item ${index + 1}`);
      row
        .querySelector("button")
        .setAttribute("aria-label", `Remove ${setting.label.toLowerCase()}, item ${index + 1}`);
    }
  };
  const addRow = (value = "") => {
    const input = h("input", { value, maxLength: 40 });
    const row = h(
      "li",
      {},
      input,
      h(
        "button",
        {
          type: "button",
          class: "small ghost",
          on: {
            click: () => {
              row.remove();
              sync();
              add.focus();
            },
          },
        },
        "Remove",
      ),
    );
    rows.append(row);
    sync();
    return input;
  };
  add.addEventListener("click", () => addRow().focus());
  const hintId = uid("hint");
  const fieldset = h(
    "fieldset",
    { class: "list-field", "aria-describedby": hintId },
    h("legend", {}, setting.label),
    h("small", { class: "hint", id: hintId }, setting.hint),
    rows,
    add,
  );
  form.group(setting.name, fieldset);
  return {
    element: fieldset,
    read: () =>
      inputs()
        .map((input) => input.value.trim())
        .filter(Boolean),
    write: (values) => {
      rows.replaceChildren();
      for (const value of values || []) addRow(value);
      sync();
    },
  };
}

function choiceControl(form, setting) {
  const input = select(setting.name, setting.options, setting.options[0].value);
  return {
    element: form.field(setting.name, setting.label, input, setting.hint),
    read: () => input.value,
    write: (value) => {
      input.value = value;
    },
  };
}

// Levels lowest first, as deskless/priorities.py lists them; GLPI's default matrix (urgency -> impact).
const LEVELS = [
  { value: "very_low", label: "Very low" },
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
  { value: "very_high", label: "Very high" },
];
const PRIORITIES = [...LEVELS, { value: "major", label: "Major" }];
const GLPI_MATRIX = [
  [1, 1, 2, 2, 2],
  [1, 2, 2, 3, 3],
  [2, 2, 3, 4, 4],
  [2, 3, 4, 4, 5],
  [2, 3, 4, 5, 5],
];
const DEFAULT_MATRIX = Object.fromEntries(
  LEVELS.map((urgency, row) => [
    urgency.value,
    Object.fromEntries(LEVELS.map((impact, column) => [impact.value, PRIORITIES[GLPI_MATRIX[row][column] - 1].value])),
  ]),
);

/** The priority matrix: a 5x5 grid of selects, urgency by row and impact by column, and "Reset to default". */
function matrixControl(form, setting) {
  const cells = new Map(); // "urgency/impact" -> select
  const captionId = uid("caption");
  const hintId = uid("hint");
  const table = h(
    "table",
    { class: "priority-matrix", "aria-describedby": hintId },
    h("caption", { id: captionId, class: "offscreen" }, setting.label),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Urgency \\ Impact"),
        LEVELS.map((impact) => h("th", { scope: "col" }, impact.label)),
      ),
    ),
    h(
      "tbody",
      {},
      LEVELS.map((urgency) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, urgency.label),
          LEVELS.map((impact) => {
            const cell = select("", PRIORITIES, "medium");
            cell.setAttribute(
              "aria-label",
              `Priority when urgency is ${urgency.label.toLowerCase()} and impact is ${impact.label.toLowerCase()}`,
            );
            cells.set(`${urgency.value}/${impact.value}`, cell);
            return h("td", {}, cell);
          }),
        ),
      ),
    ),
  );
  const write = (matrix) => {
    for (const urgency of LEVELS) {
      for (const impact of LEVELS)
        cells.get(`${urgency.value}/${impact.value}`).value = matrix?.[urgency.value]?.[impact.value] || "";
    }
  };
  const reset = h(
    "button",
    { type: "button", class: "small", on: { click: () => write(DEFAULT_MATRIX) } },
    "Reset to default",
  );
  const fieldset = h(
    "fieldset",
    { class: "list-field matrix-field" },
    h("legend", {}, setting.label),
    h("small", { class: "hint", id: hintId }, setting.hint),
    h("div", { class: "table-scroll" }, table),
    h("div", { class: "actions" }, reset),
  );
  form.group(setting.name, fieldset);
  return {
    element: fieldset,
    read: () =>
      Object.fromEntries(
        LEVELS.map((urgency) => [
          urgency.value,
          Object.fromEntries(
            LEVELS.map((impact) => [impact.value, cells.get(`${urgency.value}/${impact.value}`).value]),
          ),
        ]),
      ),
    write,
  };
}

const CONTROLS = {
  integer: integerControl,
  boolean: booleanControl,
  list: listControl,
  text: textControl,
  choice: choiceControl,
  matrix: matrixControl,
};

function settingsForm(ctx, loaded) {
  let saved = loaded;
  const form = new Form({ class: "settings-form", "aria-label": "Settings" });
  // the email settings have a page of their own
  const known = new Set([
    ...GROUPS.flatMap((group) => group.settings.map((setting) => setting.name)),
    ...EMAIL_SETTINGS,
  ]);
  const others = Object.keys(saved)
    .filter((name) => !known.has(name))
    .map((name) => describeUnknown(name, saved[name]));
  const groups = others.length ? [...GROUPS, { title: "Other", settings: others }] : GROUPS;
  const controls = new Map();
  for (const group of groups) {
    const titleId = uid("group");
    const section = h(
      "section",
      { class: ["card settings-group", group.wide && "wide"], "aria-labelledby": titleId },
      h("h2", { id: titleId }, group.title),
    );
    for (const setting of group.settings.filter((candidate) => candidate.name in saved)) {
      const control = CONTROLS[setting.kind](form, setting);
      control.write(saved[setting.name]);
      controls.set(setting.name, control);
      section.append(control.element);
    }
    form.element.append(section);
  }
  form.element.append(
    h(
      "div",
      { class: "card save-bar" },
      form.problem.node,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save settings")),
    ),
  );
  form.onSubmit(async () => {
    const before = saved;
    saved = await saveChangedSettings(ctx, controls, saved, "Settings saved.");
    if (saved !== before) ctx.refreshMe().catch(() => {}); // the admin's own console follows the new settings
  });
  return form.element;
}

export const settingsView = {
  id: "settings",
  title: "Settings",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    const body = h("div");
    replace(root, viewHead("Settings", "What every operator works under."), body);
    loadInto(
      body,
      () => ctx.api.get("/api/settings"),
      (settings) => settingsForm(ctx, settings),
    );
  },
};
