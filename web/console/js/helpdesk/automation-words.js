// How the console names what automation rules are made of: triggers, properties, operators,
// actions and their recipients, in words. Only words: which operator fits which property, and
// what an action takes, come from the API (GET /api/automation/options). A name this console has
// no words for (one the API added since) is shown made from the name itself.

const TRIGGERS = {
  ticket_created: "New ticket created",
  status_changed: "Ticket status changed",
  closed_or_resolved: "Ticket closed or resolved",
  assignee_changed: "Ticket assignment changed",
  team_changed: "Ticket team changed",
  customer_responded: "Requester or contact responded",
  ticket_updated: "Ticket updated",
  no_public_reply: "No public reply for some hours",
  pending_for: "Pending for some days",
  due_passed: "Due date passed",
};

const PROPERTIES = {
  title: "Title",
  description: "Description",
  requester: "Requester's email",
  requester_domain: "Requester's email domain",
  destination: "Destination address",
  status: "Status",
  priority: "Priority",
  impact: "Impact",
  urgency: "Urgency",
  source: "Source",
  category: "Category",
  company: "Company",
  team: "Team",
  assignee: "Assignee",
  tags: "Tags",
  product_areas: "Product areas",
  category_field: "Category field",
  created_at: "Created",
  updated_at: "Last updated",
};

const OPERATORS = {
  equals: "equals",
  not_equals: "does not equal",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  ends_with: "ends with",
  any_of: "is any of",
  none_of: "is none of",
  matches: "matches the pattern",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  changed: "changed",
  changed_from: "changed from",
  changed_to: "changed to",
  greater_than: "is greater than",
  less_than: "is less than",
  within_last_hours: "within the last hours",
  older_than_hours: "older than hours",
};

const ACTIONS = {
  send_email: "Send an email",
  set_status: "Set the status",
  set_priority: "Set the priority",
  set_impact: "Set the impact",
  set_urgency: "Set the urgency",
  set_category: "Set the category",
  set_team: "Assign to a team",
  set_assignee: "Assign to a technician",
  add_tags: "Add tags",
  remove_tags: "Remove tags",
  add_note: "Add an internal note",
  add_reply: "Add a public reply (quick reply)",
  notify: "Notify technicians in the console",
  webhook: "Call a webhook",
};

const RECIPIENTS = {
  send_email: {
    requester: "The contact (requester)",
    cc: "The CCs",
    assignee: "The assignee",
    team: "The team's members",
    address: "An address",
  },
  notify: {
    followers: "The ticket's followers",
    assignee: "The assignee",
    team: "The team's members",
    all_staff: "All staff",
  },
};

/** "Ticket created" for "ticket_created": the words made from a name. */
export function humanized(name) {
  const words = String(name || "").replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const triggerName = (kind) => TRIGGERS[kind] || humanized(kind);
export const propertyName = (property) => PROPERTIES[property] || humanized(property);
export const operatorName = (operator) => OPERATORS[operator] || humanized(operator).toLowerCase();
export const actionName = (kind) => ACTIONS[kind] || humanized(kind);
export const recipientName = (kind, to) => RECIPIENTS[kind]?.[to] || humanized(to);

/** The words of a rule's trigger: "No public reply for 24 hours". */
export function triggerWords(trigger) {
  if (trigger.kind === "no_public_reply" && trigger.hours)
    return `No public reply for ${trigger.hours} ${trigger.hours === 1 ? "hour" : "hours"}`;
  if (trigger.kind === "pending_for" && trigger.days)
    return `Pending for ${trigger.days} ${trigger.days === 1 ? "day" : "days"}`;
  return triggerName(trigger.kind);
}
