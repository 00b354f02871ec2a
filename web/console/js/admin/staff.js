// Staff users: who may sign in to the console, in which role, on which channels, with how many
// session codes; adding one, changing one, deactivating and reactivating one.

import { confirmAction, formDialog } from "../dialogs.js";
import { h, replace, toast } from "../dom.js";
import { KeyedTable } from "../keyed-list.js";
import { CHANNELS, checkboxes, Form, ROLES, select, viewHead } from "./ui.js";

const MIN_PASSWORD = 12;
const MAX_CODE_LIMIT = 100;

const roleLabel = (role) => ROLES.find((option) => option.value === role)?.label || role;
const channelLabels = (channels) =>
  channels.length ? channels.map((c) => CHANNELS.find((o) => o.value === c)?.label || c).join(", ") : "none";

function codeLimitText(user) {
  return user.code_limit === null || user.code_limit === undefined
    ? `default (${user.defaultLimit})`
    : String(user.code_limit);
}

function addForm(ctx, reload) {
  const form = new Form({ "aria-labelledby": "add-staff-title" }, { email_taken: "email" });
  const name = h("input", { name: "name", autocomplete: "off", required: true, maxLength: 100 });
  const email = h("input", { name: "email", type: "email", autocomplete: "off", required: true });
  const role = select("role", ROLES, "technician");
  const password = h("input", {
    name: "password",
    type: "password",
    autocomplete: "new-password",
    required: true,
    minLength: MIN_PASSWORD,
  });
  const channels = checkboxes(
    "Channels",
    CHANNELS,
    CHANNELS.map((c) => c.value),
  );
  form.element.append(
    h("h2", { id: "add-staff-title" }, "Add staff user"),
    h("div", { class: "row" }, form.field("name", "Name", name), form.field("email", "Email", email)),
    h(
      "div",
      { class: "row" },
      form.field("role", "Role", role),
      form.field(
        "password",
        "First password",
        password,
        `At least ${MIN_PASSWORD} characters; they can change it later.`,
      ),
    ),
    form.group("channels", channels.element),
    form.problem.node,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add staff user")),
  );
  form.onSubmit(async () => {
    const created = await ctx.api.post("/api/staff", {
      name: name.value,
      email: email.value,
      role: role.value,
      password: password.value,
      channels: channels.values(),
    });
    form.element.reset();
    toast(`${created.name} can now sign in.`, "ok");
    await reload();
  });
  return h("section", { class: "card" }, form.element);
}

/** Change a user as their row shows them (with the default code limit). */
async function editDialog(ctx, user, reload) {
  const defaultLimit = user.defaultLimit;
  const form = new Form({}, { cannot_change_self: "role" });
  const name = h("input", { name: "name", value: user.name, required: true, maxLength: 100 });
  const role = select("role", ROLES, user.role);
  const channels = checkboxes("Channels", CHANNELS, user.channels);
  const useDefault = h("input", {
    type: "checkbox",
    checked: user.code_limit === null || user.code_limit === undefined,
  });
  const limit = h("input", {
    name: "code_limit",
    type: "number",
    min: 1,
    max: MAX_CODE_LIMIT,
    step: 1,
    value: user.code_limit ?? defaultLimit,
  });
  const syncLimit = () => {
    limit.disabled = useDefault.checked;
  };
  useDefault.addEventListener("change", syncLimit);
  syncLimit();
  const saved = await formDialog({
    title: `Edit ${user.name}`,
    form,
    fields: [
      form.field("name", "Name", name),
      form.field("role", "Role", role, user.id === ctx.me.id ? "You cannot take away your own admin role." : ""),
      form.group("channels", channels.element),
      form.field("code_limit", "Code limit", limit, `Active session codes this user may hold (1–${MAX_CODE_LIMIT}).`),
      h("label", { class: "check" }, useDefault, `Use the default (${defaultLimit})`),
    ],
    focus: name,
    save: async () => {
      const wanted = {
        name: name.value.trim(),
        role: role.value,
        channels: channels.values(),
        // an empty box is sent as it is: the API says what is wrong with it, next to the field
        code_limit: useDefault.checked ? null : limit.value === "" ? "" : Number(limit.value),
      };
      const change = Object.fromEntries(
        Object.entries(wanted).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(user[key] ?? null)),
      );
      if (Object.keys(change).length) await ctx.api.patch(`/api/staff/${encodeURIComponent(user.id)}`, change);
      return { ...wanted, changed: Object.keys(change).length > 0 };
    },
  });
  if (!saved) return;
  if (saved.changed) toast(`${saved.name} saved.`, "ok");
  await reload();
}

async function setActive(ctx, user, active, problem, reload) {
  const question = active
    ? `Reactivate ${user.name}? They can sign in again.`
    : `Deactivate ${user.name}? They are signed out at once, leave every team they are in (their tickets stay theirs) and cannot sign in until reactivated.`;
  if (!(await confirmAction({ message: question, confirm: active ? "Reactivate" : "Deactivate", danger: !active })))
    return;
  problem.clear();
  try {
    await ctx.api.patch(`/api/staff/${encodeURIComponent(user.id)}`, { active });
    toast(`${user.name} ${active ? "reactivated" : "deactivated"}.`, "ok");
    await reload();
  } catch (error) {
    problem.show(error);
  }
}

/** A user's row, from what it shows: the user, the default code limit, whether it is the admin themselves. */
function staffRow(user) {
  return h(
    "tr",
    { dataset: { email: user.email } },
    h("td", {}, user.name, user.you ? h("small", { class: "muted" }, " (you)") : null),
    h("td", {}, user.email),
    h("td", {}, roleLabel(user.role)),
    h("td", {}, channelLabels(user.channels)),
    h("td", {}, codeLimitText(user)),
    h(
      "td",
      {},
      user.active ? h("span", { class: "badge ok" }, "Active") : h("span", { class: "badge danger" }, "Deactivated"),
    ),
    h(
      "td",
      { class: "row-actions" },
      h(
        "button",
        { type: "button", class: "small", "aria-label": `Edit ${user.name}`, dataset: { action: "edit" } },
        "Edit",
      ),
      user.you
        ? null
        : h(
            "button",
            {
              type: "button",
              class: user.active ? "small danger" : "small",
              "aria-label": `${user.active ? "Deactivate" : "Reactivate"} ${user.name}`,
              dataset: { action: "activate" },
            },
            user.active ? "Deactivate" : "Reactivate",
          ),
    ),
  );
}

export const staffView = {
  id: "staff",
  title: "Staff",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    const list = new KeyedTable({
      caption: "Staff users",
      columns: ["Name", "Email", "Role", "Channels", "Code limit", "State", ""],
      className: "staff-table",
      empty: "No staff users yet.",
      key: (user) => user.id,
      item: staffRow,
      on: {
        click: {
          edit: (user) => editDialog(ctx, user, reload),
          activate: (user) => setActive(ctx, user, !user.active, list.problem, reload),
        },
      },
    });
    const reload = () =>
      list.load(async () => {
        const [users, settings] = await Promise.all([ctx.api.get("/api/staff"), ctx.api.get("/api/settings")]);
        return users.map((user) => ({ ...user, defaultLimit: settings.code_limit, you: user.id === ctx.me.id }));
      });
    replace(
      root,
      viewHead("Staff", "Who may sign in to the console, in which role and on which channels."),
      addForm(ctx, reload),
      h(
        "section",
        { class: "card", "aria-labelledby": "staff-list-title" },
        h("h2", { id: "staff-list-title" }, "Staff users"),
        list.node,
      ),
    );
    reload();
  },
};
