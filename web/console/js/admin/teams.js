// Teams: the groups of staff users tickets are assigned to (GET/POST /api/teams, PATCH/DELETE
// /api/teams/{id}). A team's name is unique whatever its case; its members are picked from the
// active staff; a team that is a ticket category's default team cannot be deleted (the API says so).

import { confirmAction, formDialog } from "../dialogs.js";
import { h, replace, toast } from "../dom.js";
import { KeyedTable, rowButton } from "../keyed-list.js";
import { checkboxes, Form, viewHead } from "./ui.js";

// Where the API's errors about a team belong in its form.
const TEAM_ERRORS = { team_name_taken: "name" };

/** The staff a team may have: active users, and anyone already in it (shown as deactivated). */
function memberOptions(staff, team) {
  const current = team?.members || [];
  return staff
    .filter((user) => user.active || current.includes(user.id))
    .map((user) => ({ value: user.id, label: user.active ? user.name : `${user.name} (deactivated)` }));
}

async function teamDialog(ctx, staff, team, reload) {
  const form = new Form({}, TEAM_ERRORS);
  const name = h("input", { name: "name", value: team?.name || "", required: true, maxLength: 100 });
  const description = h("input", { name: "description", value: team?.description || "", maxLength: 300 });
  const members = checkboxes("Members", memberOptions(staff, team), team?.members || [], {
    empty: "There are no staff users yet: add them under Staff.",
  });
  const saved = await formDialog({
    title: team ? `Edit ${team.name}` : "New team",
    form,
    fields: [
      form.field("name", "Team name", name, "Unique among teams, whatever its case."),
      form.field("description", "Description", description, "What the team takes care of (optional)."),
      form.group("members", members.element),
    ],
    submit: team ? "Save" : "Create team",
    focus: name,
    save: () => {
      const body = { name: name.value, description: description.value, members: members.values() };
      return team
        ? ctx.api.patch(`/api/teams/${encodeURIComponent(team.id)}`, { ...body, revision: team.revision })
        : ctx.api.post("/api/teams", body);
    },
  });
  if (!saved) return;
  toast(team ? `${saved.name} saved.` : `${saved.name} created.`, "ok");
  await reload();
}

async function deleteTeam(ctx, team, problem, reload) {
  const message = `Delete the team "${team.name}"? Its members stay staff users.`;
  if (!(await confirmAction({ message, confirm: "Delete" }))) return;
  problem.clear();
  try {
    await ctx.api.del(`/api/teams/${encodeURIComponent(team.id)}`);
    toast(`The team "${team.name}" is deleted.`, "ok");
    await reload();
  } catch (error) {
    problem.show(error);
  }
}

function teamRow(team) {
  return h(
    "tr",
    {},
    h("th", { scope: "row", class: "name" }, team.name),
    h("td", {}, team.description || h("span", { class: "muted" }, "—")),
    h("td", {}, team.memberNames.length ? team.memberNames.join(", ") : h("span", { class: "muted" }, "nobody yet")),
    h(
      "td",
      { class: "row-actions" },
      rowButton("Edit", `Edit ${team.name}`, "edit"),
      rowButton("Delete", `Delete ${team.name}`, "delete", "danger"),
    ),
  );
}

export const teamsView = {
  id: "teams",
  title: "Teams",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    let staff = [];
    const list = new KeyedTable({
      caption: "Teams",
      columns: ["Team", "Description", "Members", ""],
      className: "teams-table",
      empty: "No teams yet: create the first one.",
      key: (team) => team.id,
      item: teamRow,
      on: {
        click: {
          edit: (team) => teamDialog(ctx, staff, team, reload),
          delete: (team) => deleteTeam(ctx, team, list.problem, reload),
        },
      },
    });
    const reload = () =>
      list.load(async () => {
        const [teams, users] = await Promise.all([ctx.api.get("/api/teams"), ctx.api.get("/api/staff")]);
        staff = users;
        create.disabled = false;
        const names = new Map(staff.map((user) => [user.id, user.name]));
        return teams.map((team) => ({
          ...team,
          members: [...team.members].sort(),
          memberNames: team.members.map((id) => names.get(id) || "unknown user").sort(),
        }));
      });
    // enabled once the staff who may be members are known
    const create = h(
      "button",
      { type: "button", class: "primary", disabled: true, on: { click: () => teamDialog(ctx, staff, null, reload) } },
      "New team",
    );
    replace(
      root,
      viewHead("Teams", "The teams tickets are assigned to, and who is in each.", create),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
