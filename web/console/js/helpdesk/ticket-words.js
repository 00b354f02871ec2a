// How the console names what a ticket is: statuses, levels, priorities, sources, and a ticket's
// events in words ("Ted changed status from new to open"). Shared by the lists and the ticket page.

import { dateTime, h } from "../dom.js";

export const STATUSES = [
  { value: "new", label: "New", badge: "info" },
  { value: "open", label: "Open", badge: "info" },
  { value: "pending", label: "Pending", badge: "warn" },
  { value: "resolved", label: "Resolved", badge: "ok" },
  { value: "closed", label: "Closed", badge: "" },
  { value: "merged", label: "Merged", badge: "" },
];

/** Impact and urgency. */
export const LEVELS = [
  { value: "very_low", label: "Very low" },
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
  { value: "very_high", label: "Very high" },
];

export const PRIORITIES = [...LEVELS, { value: "major", label: "Major" }];

export const SOURCES = {
  portal: "Portal",
  email: "Email",
  chat: "Chat",
  offline_message: "Offline message",
  api: "API",
  console: "Console",
};

const FIELDS = {
  title: "title",
  status: "status",
  impact: "impact",
  urgency: "urgency",
  priority: "priority",
  team_id: "team",
  assignee: "assignee",
  category_id: "category",
  due_at: "due date",
};

function labelOf(options, value) {
  return options.find((option) => option.value === value)?.label || value;
}

export const statusName = (value) => labelOf(STATUSES, value);
export const priorityName = (value) => labelOf(PRIORITIES, value);
export const levelName = (value) => labelOf(LEVELS, value);
export const sourceName = (value) => SOURCES[value] || value;

export function statusBadge(status) {
  const badge = STATUSES.find((option) => option.value === status)?.badge || "";
  return h("span", { class: ["badge", badge], dataset: { status } }, statusName(status));
}

/** The priority, marked when a technician set it by hand rather than the matrix. */
export function priorityBadge(priority, overridden) {
  const kind = priority === "major" || priority === "very_high" ? "danger" : priority === "high" ? "warn" : "";
  return h(
    "span",
    { class: ["badge", kind], title: overridden ? "Set by hand" : "From the impact and urgency" },
    priorityName(priority),
    overridden ? h("span", { "aria-label": " (set by hand)" }, " ✋") : null,
  );
}

/**
 * One change of an event in words: "changed status from new to open". `names(field, value)`
 * turns an id (a team's, a category's) into a name.
 */
function changeWords(change, names) {
  if (change.field === "opened") return "opened the ticket";
  if (change.field === "merged") return `merged ${change.before} into ${change.after}`;
  const field = FIELDS[change.field] || change.field.replaceAll("_", " ");
  const shown = (value) => names(change.field, value);
  if (change.before === null || change.before === undefined) return `set ${field} to ${shown(change.after)}`;
  if (change.after === null || change.after === undefined) return `cleared ${field} (was ${shown(change.before)})`;
  return `changed ${field} from ${shown(change.before)} to ${shown(change.after)}`;
}

/** "Ted changed status from new to open and set team to Printers." */
export function eventWords(entry, names) {
  const parts = entry.changes.map((change) => changeWords(change, names));
  const said = parts.length ? parts.join(", ") : "changed the ticket";
  return `${authorName(entry.author)} ${said}${entry.reason ? ` (${entry.reason})` : ""}.`;
}

/** Who wrote an entry: a person's name, or "Rule: <name>" for an automation rule's action. */
export function authorName(author) {
  return author.kind === "rule" ? `Rule: ${author.name}` : author.name;
}

/** A value of an event as a technician reads it. */
export function valueName(field, value) {
  if (field === "status") return statusName(value);
  if (field === "priority") return priorityName(value);
  if (field === "impact" || field === "urgency") return levelName(value);
  if (field === "due_at") return dateTime(Number(value));
  return value;
}
