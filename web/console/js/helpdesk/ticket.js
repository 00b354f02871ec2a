// A ticket's page (#/tickets/<number>): its header (the title editable), the description and the
// whole timeline (public replies, internal notes marked as such, events in words), a reply box
// (public reply or internal note, quick replies previewed with this ticket's values before they
// are inserted, "send and set pending/resolved"), and a side panel for what the ticket is: status
// (only the transitions the ticket may take), impact, urgency, priority (by hand, or back to the
// matrix), team, assignee (a team's members when a team is set), category and its fields, product
// areas, CC, tags and the due date, and merging into another ticket. An entry a rule's action
// wrote is shown as "Rule: <name>". Beside the reply box, the articles suggested for the
// ticket (GET /api/tickets/{number}/articles: those its requester may read), each with "Insert link",
// which puts a Markdown link to the article on the requester's portal at the reply's cursor.
//
// Every change sends the revision the technician saw. When someone else changed the ticket
// meanwhile (409 ticket_changed), the page shows the ticket as it is now, says what differs, and
// offers to make the refused change again: nothing is lost silently. What is typed in the reply
// box and in the title is never redrawn away; a change told live only offers to show the latest.

import { checkboxes, select } from "../admin/ui.js";
import { confirmAction } from "../dialogs.js";
import { dateTime, field, h, highlighted, replace, toast } from "../dom.js";
import { busy, ErrorMessage } from "../errors.js";
import { KeyedList, rowButton } from "../keyed-list.js";
import { automationSection } from "./ticket-automation.js";
import {
  authorName,
  eventWords,
  LEVELS,
  levelName,
  PRIORITIES,
  priorityName,
  STATUSES,
  sourceName,
  statusBadge,
  statusName,
  valueName,
} from "./ticket-words.js";

const NOTICES = ["ticket.new", "ticket.changed", "ticket.reply"];
const FINAL = ["closed", "merged"];
const CUSTOMERS = ["contact", "address"]; // authors whose replies are the customer's
const SECOND_MS = 1000; // a ticket's created_at is in seconds; updated_at and the timeline's times in ms

/** A time as a datetime-local input's value, in the browser's time zone ("" for none). */
function localInput(ms) {
  if (!ms) return "";
  const local = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function time(ms) {
  return h("time", { dateTime: new Date(ms).toISOString() }, dateTime(ms));
}

function englishOr(labels, fallback = "") {
  return labels?.en || Object.values(labels || {})[0] || fallback;
}

/** "2.4 MB" for a number of bytes. */
function sizeOf(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The files that go with a description, a reply or a note: each a button that downloads it. */
function filesOf(files = []) {
  if (!files.length) return null;
  return h(
    "ul",
    { class: "files", "aria-label": "Attached files" },
    files.map((file) =>
      h(
        "li",
        {},
        h("button", { type: "button", class: "link", dataset: { file: file.id } }, file.name),
        h("span", { class: "muted" }, ` ${sizeOf(file.size)}`),
      ),
    ),
  );
}

/** Upload files to the attachments bucket (a presigned form each); their ids, for a reply. */
async function upload(ctx, files) {
  const ids = [];
  for (const file of files) {
    const form = await ctx.api.post("/api/attachments", {
      name: file.name,
      content_type: file.type || "application/octet-stream",
      size: file.size,
    });
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append("file", file);
    const sent = await fetch(form.url, { method: "POST", body });
    if (!sent.ok) throw new Error(`${file.name} could not be uploaded (${sent.status}).`);
    ids.push(form.attachment_id);
  }
  return ids;
}

/** The addresses typed in a box: one per line, or separated by commas, semicolons or spaces. */
function addressesOf(text) {
  return text
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

/** A control for one field of a category, with its value; `read()` gives the value to send. */
function categoryControl(definition, value) {
  const label = englishOr(definition.labels, definition.key);
  const hint = englishOr(definition.help);
  const props = { name: `field-${definition.key}`, required: definition.required };
  let control;
  let read;
  switch (definition.kind) {
    case "long_text":
      control = h("textarea", { ...props, rows: 3, value: value ?? "", maxLength: definition.max_length ?? undefined });
      read = () => control.value;
      break;
    case "number":
      control = h("input", {
        ...props,
        type: "number",
        value: value ?? "",
        min: definition.minimum ?? undefined,
        max: definition.maximum ?? undefined,
        step: "any",
      });
      read = () => (control.value === "" ? null : Number(control.value));
      break;
    case "single_choice":
      control = h(
        "select",
        props,
        h("option", { value: "" }, "—"),
        definition.choices.map((choice) =>
          h("option", { value: choice.key, selected: choice.key === value }, englishOr(choice.labels, choice.key)),
        ),
      );
      read = () => control.value || null;
      break;
    case "multiple_choice": {
      const group = checkboxes(
        label,
        definition.choices.map((choice) => ({ value: choice.key, label: englishOr(choice.labels, choice.key) })),
        Array.isArray(value) ? value : [],
      );
      return { node: group.element, key: definition.key, read: () => group.values() };
    }
    case "checkbox": {
      const box = h("input", { type: "checkbox", name: props.name, checked: value === true });
      return {
        node: h("label", { class: "check" }, box, label),
        key: definition.key,
        read: () => box.checked,
      };
    }
    case "date":
      control = h("input", { ...props, type: "date", value: value ?? "" });
      read = () => control.value || null;
      break;
    default:
      control = h("input", { ...props, value: value ?? "", maxLength: definition.max_length ?? undefined });
      read = () => control.value;
  }
  return { node: field(label, control, hint), key: definition.key, read };
}

export function mountTicket(root, ctx, number) {
  const life = new AbortController();
  const { signal } = life;
  const path = `/api/tickets/${number}`;
  let view = null; // {ticket, timeline, transitions}: the ticket as this page last read it
  const known = { teams: [], categories: [], areas: [], companies: new Map(), replies: [] };
  let assignees = { team: undefined, people: [] }; // whom the assignee select offers, for a team
  let editingTitle = null; // the title's input while the technician edits it
  let toldAt = 0; // the updated_at of the latest change told live

  const problem = new ErrorMessage();
  const head = h("div", { class: "ticket-head" });
  const meta = h("dl", { class: "ticket-meta" });
  const description = h("div", { class: "ticket-description" });
  const timeline = h("ol", { class: "timeline", "aria-label": "Timeline" });
  const changed = h("div", { class: "notice info", role: "status", hidden: true });
  const conflict = h("div", { class: "notice conflict", role: "alert", hidden: true });
  const panel = h("div", { class: "ticket-panel-body" });
  const panelProblem = new ErrorMessage();
  let changes = Promise.resolve(true); // the panel's changes, one after another

  const names = (fieldName, value) => {
    if (value === null || value === undefined) return "none";
    if (fieldName === "team_id") return known.teams.find((team) => team.id === value)?.name || value;
    if (fieldName === "category_id") return known.categories.find((c) => c.id === value)?.name || value;
    return valueName(fieldName, value);
  };

  // --- reading and changing ---------------------------------------------------------------

  /**
   * Take `next` (a read's answer, or a change's) as the ticket shown, unless a later revision is
   * shown already: a read asked before a reply or a change was saved may answer after it.
   */
  function newer(next) {
    if (view && next.ticket.revision < view.ticket.revision) return false;
    view = next;
    if (view.ticket.updated_at >= toldAt) changed.hidden = true; // the change told is shown
    return true;
  }

  async function read() {
    if (!newer(await ctx.api.get(path))) return;
    await loadAssignees(view.ticket.team_id);
    draw();
  }

  async function loadAssignees(teamId) {
    if (assignees.team === (teamId || null)) return;
    const query = teamId ? `?${new URLSearchParams({ team_id: teamId })}` : "";
    assignees = { team: teamId || null, people: await ctx.api.get(`/api/tickets/assignees${query}`) };
  }

  /**
   * Make a change (the body without `revision`) once those asked before it are made, at the
   * revision they left: two quick changes of the panel are both saved, not refused as a conflict
   * with each other. `what` says it in words, for a conflict.
   */
  function change(body, what) {
    const made = changes.then(() => save(body, what));
    changes = made.catch(() => false);
    return made;
  }

  async function save(body, what) {
    panelProblem.clear();
    const seen = view.ticket;
    try {
      newer(await ctx.api.patch(path, { ...body, revision: seen.revision }));
      conflict.hidden = true;
      if ("title" in body) editingTitle = null; // saved: the title shows again
      await loadAssignees(view.ticket.team_id);
      draw();
      toast(`#${number}: ${what}.`, "ok");
      return true;
    } catch (error) {
      if (error.code === "ticket_changed") await showConflict(seen, () => change(body, what), what);
      else panelProblem.show(error);
      return false;
    }
  }

  /** Someone else changed the ticket: show it as it is now, what differs, and the change refused. */
  async function showConflict(seen, again, what) {
    try {
      await read();
    } catch (error) {
      panelProblem.show(error);
      return;
    }
    const now = view.ticket;
    const differences = [
      ["Title", seen.title, now.title],
      ["Status", statusName(seen.status), statusName(now.status)],
      ["Impact", levelName(seen.impact), levelName(now.impact)],
      ["Urgency", levelName(seen.urgency), levelName(now.urgency)],
      ["Priority", priorityName(seen.priority), priorityName(now.priority)],
      ["Team", names("team_id", seen.team_id), names("team_id", now.team_id)],
      ["Assignee", seen.assignee?.name || "none", now.assignee?.name || "none"],
      ["Category", names("category_id", seen.category_id), names("category_id", now.category_id)],
      ["CC", seen.cc.join(", ") || "none", now.cc.join(", ") || "none"],
      ["Tags", seen.tags.join(", ") || "none", now.tags.join(", ") || "none"],
      ["Due", seen.due_at ? dateTime(seen.due_at) : "not set", now.due_at ? dateTime(now.due_at) : "not set"],
    ].filter(([, before, after]) => before !== after);
    const retry = h("button", { type: "button", class: "primary small" }, "Make my change again");
    retry.addEventListener("click", () => busy(retry, panelProblem, again));
    replace(
      conflict,
      h("strong", {}, "Someone else changed this ticket."),
      ` Your change (${what}) was not saved. It is now:`,
      h(
        "ul",
        {},
        differences.length
          ? differences.map(([name, , after]) => h("li", {}, `${name}: ${after}`))
          : h("li", {}, "the same values, with a new reply or note"),
      ),
      h(
        "div",
        { class: "actions" },
        retry,
        h("button", { type: "button", class: "small", on: { click: () => (conflict.hidden = true) } }, "Dismiss"),
      ),
    );
    conflict.hidden = false;
    conflict.scrollIntoView({ block: "nearest" });
  }

  // --- drawing ----------------------------------------------------------------------------

  function drawHead() {
    const { ticket } = view;
    if (editingTitle) return; // what is being typed stays
    const edit = h("button", { type: "button", class: "small" }, "Edit title");
    edit.addEventListener("click", () => {
      const input = h("input", { value: ticket.title, maxLength: 200, required: true, "aria-label": "Title" });
      const save = h("button", { type: "submit", class: "primary small" }, "Save title");
      const cancel = h("button", { type: "button", class: "small" }, "Cancel");
      const form = h("form", { class: "row title-form" }, input, save, cancel);
      editingTitle = input;
      const done = () => {
        editingTitle = null;
        drawHead();
      };
      cancel.addEventListener("click", done);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        save.disabled = true;
        const title = input.value.trim();
        if (await change({ title }, `title “${title}”`)) done();
        save.disabled = false; // refused: what was typed stays, for another try
      });
      replace(head, h("span", { class: "ticket-number" }, `#${ticket.number}`), form);
      input.focus();
    });
    replace(
      head,
      h("h1", { id: "ticket-title" }, h("span", { class: "ticket-number" }, `#${ticket.number} `), ticket.title),
      h("div", { class: "actions" }, statusBadge(ticket.status), edit),
    );
  }

  function drawMeta() {
    const { ticket } = view;
    const entries = [
      [
        "Requester",
        h(
          "a",
          { href: `#/contacts/${encodeURIComponent(ticket.requester.email)}` },
          ticket.requester.name,
          ` <${ticket.requester.email}>`,
        ),
      ],
      ["Company", known.companies.get(ticket.company_id) || "Unassigned"],
      ["Source", sourceName(ticket.source)],
      ["Created", time(ticket.created_at * SECOND_MS)],
      ["Updated", time(ticket.updated_at)],
      ["Tags", ticket.tags.length ? ticket.tags.join(", ") : "none"],
      ["Due", ticket.due_at ? time(ticket.due_at) : "not set"],
    ];
    if (ticket.merged_into)
      entries.push(["Merged into", h("a", { href: `#/tickets/${ticket.merged_into}` }, `#${ticket.merged_into}`)]);
    replace(
      meta,
      entries.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))),
    );
    replace(
      description,
      h("h2", { class: "offscreen" }, "Description"),
      h(
        "p",
        { class: "entry-by" },
        h("strong", {}, ticket.requester.name),
        " asked · ",
        time(ticket.created_at * SECOND_MS),
      ),
      h("div", { class: "entry-body" }, ticket.description),
      filesOf(ticket.attachments),
    );
  }

  function entryNode(entry) {
    if (entry.kind === "event") {
      return h(
        "li",
        { class: "entry event", dataset: { kind: "event" } },
        eventWords(entry, names),
        " · ",
        time(entry.at),
      );
    }
    const note = entry.kind === "note";
    return h(
      "li",
      { class: ["entry", note ? "note" : "reply"], dataset: { kind: entry.kind } },
      h(
        "p",
        { class: "entry-by" },
        h("strong", {}, authorName(entry.author)),
        " ",
        note
          ? h("span", { class: "badge warn" }, "Internal note")
          : h(
              "span",
              { class: "badge info" },
              CUSTOMERS.includes(entry.author.kind) ? "Customer reply" : "Public reply",
            ),
        " · ",
        time(entry.at),
        entry.via ? h("span", { class: "muted" }, ` · via ${sourceName(entry.via)}`) : null,
      ),
      h("div", { class: "entry-body" }, entry.body),
      filesOf(entry.attachments),
    );
  }

  function drawTimeline() {
    replace(timeline, view.timeline.map(entryNode));
  }

  function drawPanel() {
    const { ticket, transitions } = view;
    const final = FINAL.includes(ticket.status);
    const statusOptions = STATUSES.filter(
      (s) => s.value === ticket.status || (transitions.includes(s.value) && s.value !== "merged"),
    );
    const status = select("status", statusOptions, ticket.status);
    status.addEventListener("change", () => change({ status: status.value }, `status ${statusName(status.value)}`));
    const impact = select("impact", LEVELS, ticket.impact);
    impact.addEventListener("change", () => change({ impact: impact.value }, `impact ${levelName(impact.value)}`));
    const urgency = select("urgency", LEVELS, ticket.urgency);
    urgency.addEventListener("change", () => change({ urgency: urgency.value }, `urgency ${levelName(urgency.value)}`));
    const priority = select("priority", PRIORITIES, ticket.priority);
    priority.addEventListener("change", () =>
      change({ priority: priority.value }, `priority ${priorityName(priority.value)} by hand`),
    );
    const matrix = ticket.priority_overridden
      ? h(
          "button",
          {
            type: "button",
            class: "small",
            on: { click: () => change({ priority: "matrix" }, "priority back to the matrix") },
          },
          "Back to the matrix",
        )
      : null;
    const team = h(
      "select",
      { name: "team_id" },
      h("option", { value: "" }, "No team"),
      known.teams.map((t) => h("option", { value: t.id, selected: t.id === ticket.team_id }, t.name)),
    );
    team.addEventListener("change", () =>
      change({ team_id: team.value || null }, `team ${names("team_id", team.value || null)}`),
    );
    const people = [...assignees.people];
    if (ticket.assignee && !people.some((p) => p.id === ticket.assignee.id)) people.push(ticket.assignee);
    const assignee = h(
      "select",
      { name: "assignee_id" },
      h("option", { value: "" }, "Unassigned"),
      people.map((p) => h("option", { value: p.id, selected: p.id === ticket.assignee?.id }, p.name)),
    );
    assignee.addEventListener("change", () => {
      const chosen = people.find((p) => p.id === assignee.value);
      change({ assignee_id: assignee.value || null }, `assignee ${chosen?.name || "none"}`);
    });
    const mine = assignees.people.some((p) => p.id === ctx.me.id) && ticket.assignee?.id !== ctx.me.id;

    replace(
      panel,
      panelProblem.node,
      field("Status", status),
      h("div", { class: "row" }, field("Impact", impact), field("Urgency", urgency)),
      field(
        "Priority",
        priority,
        ticket.priority_overridden ? "Set by hand: impact and urgency no longer change it." : "From the matrix.",
      ),
      matrix,
      field("Team", team),
      field("Assignee", assignee, ticket.team_id ? "The team's members." : ""),
      mine
        ? h(
            "button",
            {
              type: "button",
              class: "small",
              on: { click: () => change({ assignee_id: ctx.me.id }, `assignee ${ctx.me.name}`) },
            },
            "Assign to me",
          )
        : null,
      categorySection(ticket),
      areasSection(ticket),
      ccSection(ticket),
      tagsSection(ticket),
      final ? null : mergeSection(ticket),
    );
    if (final) for (const control of panel.querySelectorAll("select, input, textarea, button")) control.disabled = true;
  }

  function categorySection(ticket) {
    const categories = known.categories.filter((c) => c.active || c.id === ticket.category_id);
    if (!categories.length) return null;
    const chooser = h(
      "select",
      { name: "category_id" },
      ticket.category_id ? null : h("option", { value: "" }, "No category"),
      categories.map((c) => h("option", { value: c.id, selected: c.id === ticket.category_id }, c.name)),
    );
    const fields = h("div", { class: "category-fields" });
    let controls = [];
    const drawFields = () => {
      const category = categories.find((c) => c.id === chooser.value);
      const values = chooser.value === ticket.category_id ? ticket.fields : {};
      controls = (category?.fields || []).map((definition) => categoryControl(definition, values[definition.key]));
      replace(
        fields,
        controls.map((control) => control.node),
      );
    };
    chooser.addEventListener("change", drawFields);
    drawFields();
    const save = h("button", { type: "submit", class: "small" }, "Save category and fields");
    const form = h(
      "form",
      { class: "panel-section", noValidate: true },
      h("h3", {}, "Category"),
      field("Category", chooser),
      fields,
      save,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!chooser.value) return;
      const values = {};
      for (const control of controls) {
        const value = control.read();
        if (value !== null && value !== "") values[control.key] = value;
      }
      busy(save, panelProblem, () =>
        change({ category_id: chooser.value, fields: values }, `category ${names("category_id", chooser.value)}`),
      );
    });
    return form;
  }

  function areasSection(ticket) {
    if (!known.areas.length) return null;
    const areas = checkboxes(
      "Product areas",
      known.areas.map((area) => ({ value: area.id, label: area.name })),
      ticket.product_areas,
    );
    const save = h("button", { type: "submit", class: "small" }, "Save product areas");
    const form = h("form", { class: "panel-section" }, areas.element, save);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(save, panelProblem, () => change({ product_areas: areas.values() }, "product areas"));
    });
    return form;
  }

  function ccSection(ticket) {
    const cc = h("textarea", { name: "cc", rows: 2, spellcheck: false, value: ticket.cc.join("\n") });
    const save = h("button", { type: "submit", class: "small" }, "Save CC");
    const form = h(
      "form",
      { class: "panel-section" },
      field("CC", cc, "Addresses that follow the ticket, one per line."),
      save,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(save, panelProblem, () => change({ cc: addressesOf(cc.value) }, "CC"));
    });
    return form;
  }

  /** Tags (a comma list) and the due date (local time), saved together. */
  function tagsSection(ticket) {
    const tags = h("input", { name: "tags", value: ticket.tags.join(", "), spellcheck: false });
    const due = h("input", { type: "datetime-local", name: "due_at", value: localInput(ticket.due_at) });
    const save = h("button", { type: "submit", class: "small" }, "Save tags and due date");
    const clear = h("button", { type: "button", class: "small" }, "Clear due date");
    const form = h(
      "form",
      { class: "panel-section" },
      field("Tags", tags, "Comma separated; kept in lower case."),
      field("Due", due),
      h("div", { class: "actions" }, save, ticket.due_at ? clear : null),
    );
    const tagList = () =>
      tags.value
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const dueAt = due.value ? new Date(due.value).getTime() : null;
      busy(save, panelProblem, () => change({ tags: tagList(), due_at: dueAt }, "tags and due date"));
    });
    clear.addEventListener("click", () =>
      busy(clear, panelProblem, () => change({ due_at: null }, "due date cleared")),
    );
    return form;
  }

  function mergeSection(ticket) {
    const into = h("input", { type: "number", name: "into", min: 1, inputMode: "numeric" });
    const merge = h("button", { type: "submit", class: "small danger" }, "Merge");
    const form = h(
      "form",
      { class: "panel-section" },
      h("h3", {}, "Merge"),
      field("Merge into ticket number", into, "This ticket closes as merged; its CC join the other."),
      merge,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const target = Number(into.value.replace(/^#/, ""));
      if (!target) return;
      const question = `Merge #${ticket.number} into #${target}? It cannot be undone.`;
      if (!(await confirmAction({ message: question, confirm: "Merge" }))) return;
      const seen = view.ticket;
      busy(merge, panelProblem, async () => {
        try {
          newer(await ctx.api.post(`${path}/merge`, { into: target, revision: seen.revision }));
          draw();
          toast(`#${ticket.number} merged into #${target}.`, "ok");
        } catch (error) {
          if (error.code !== "ticket_changed") throw error;
          await showConflict(
            seen,
            () => ctx.api.post(`${path}/merge`, { into: target, revision: view.ticket.revision }).then(read),
            `merge into #${target}`,
          );
        }
      });
    });
    return form;
  }

  // --- the reply box (built once: what is typed stays through every redraw) --------------------

  const message = h("textarea", { name: "body", rows: 6 });
  const publicMode = h("input", { type: "radio", name: "mode", value: "reply", checked: true });
  const noteMode = h("input", { type: "radio", name: "mode", value: "note" });
  const quick = h("select", { name: "quick_reply" }, h("option", { value: "" }, "Choose a quick reply…"));
  const preview = h("div", { class: "quick-preview", hidden: true, "aria-live": "polite" });
  const attach = h("input", { type: "file", name: "files", multiple: true });
  const composerProblem = new ErrorMessage();
  const send = h("button", { type: "submit", class: "primary" }, "Send reply");
  const sendPending = h("button", { type: "button", dataset: { status: "pending" } }, "Send and set pending");
  const sendResolved = h("button", { type: "button", dataset: { status: "resolved" } }, "Send and set resolved");
  const composer = h(
    "form",
    { class: "card composer", "aria-labelledby": "composer-title" },
    h("h2", { id: "composer-title" }, "Answer"),
    h(
      "fieldset",
      { class: "modes" },
      h("legend", { class: "offscreen" }, "What to write"),
      h("label", { class: "check" }, publicMode, "Public reply"),
      h("label", { class: "check" }, noteMode, "Internal note"),
    ),
    field("Quick reply", quick, "Previewed with this ticket's and its requester's values before it is inserted."),
    preview,
    field("Message", message),
    field("Attach files", attach, "At most 10, sent with the reply or the note."),
    composerProblem.node,
    h("div", { class: "actions" }, send, sendPending, sendResolved),
  );

  function drawComposer() {
    const note = noteMode.checked;
    const final = FINAL.includes(view?.ticket.status);
    composer.classList.toggle("writing-note", note);
    send.textContent = note ? "Add internal note" : "Send reply";
    sendPending.hidden = note || !view?.transitions.includes("pending");
    sendResolved.hidden = note || !view?.transitions.includes("resolved");
    for (const control of composer.querySelectorAll("button, textarea, select, input")) control.disabled = final;
    if (final)
      composerProblem.show(
        `This ticket is ${statusName(view.ticket.status).toLowerCase()}: nothing more can be added.`,
      );
  }

  async function submit(status = null) {
    const note = noteMode.checked;
    const body = message.value;
    if (!body.trim()) {
      composerProblem.show("Write something first.");
      message.focus();
      return;
    }
    const request = note || !status ? { body } : { body, status };
    if (attach.files.length) request.attachments = await upload(ctx, [...attach.files]);
    newer(await ctx.api.post(`${path}/${note ? "notes" : "replies"}`, request));
    if (message.value === body) message.value = ""; // sent; anything typed meanwhile stays
    attach.value = "";
    await loadAssignees(view.ticket.team_id);
    draw();
    toast(
      note
        ? "Internal note added."
        : status
          ? `Reply sent; the ticket is ${statusName(status).toLowerCase()}.`
          : "Reply sent.",
      "ok",
    );
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(send, composerProblem, () => submit());
  });
  for (const button of [sendPending, sendResolved]) {
    button.addEventListener("click", () => busy(button, composerProblem, () => submit(button.dataset.status)));
  }
  for (const mode of [publicMode, noteMode]) mode.addEventListener("change", drawComposer);
  quick.addEventListener("change", async () => {
    const chosen = quick.value;
    if (!chosen) {
      preview.hidden = true;
      return;
    }
    composerProblem.clear();
    try {
      const shown = await ctx.api.post(`/api/quick-replies/${encodeURIComponent(chosen)}/preview`, {
        ticket_number: number,
      });
      const insert = h("button", { type: "button", class: "small primary" }, "Insert");
      const cancel = h("button", { type: "button", class: "small" }, "Cancel");
      insert.addEventListener("click", () => {
        const before = message.value.trimEnd();
        message.value = before ? `${before}\n\n${shown.text.trim()}` : shown.text.trim();
        preview.hidden = true;
        quick.value = "";
        message.focus();
      });
      cancel.addEventListener("click", () => {
        preview.hidden = true;
        quick.value = "";
        quick.focus();
      });
      replace(
        preview,
        h("p", { class: "muted" }, `Preview: ${shown.title}`),
        h("div", { class: "entry-body", "aria-label": "Quick reply preview" }, shown.text.trim()),
        h("div", { class: "actions" }, insert, cancel),
      );
      preview.hidden = false;
    } catch (error) {
      composerProblem.show(error, "The quick reply could not be previewed");
    }
  });

  // --- suggested articles (what the requester may read, found for the ticket) --------------------

  const suggestionsProblem = new ErrorMessage();
  const suggestionsStatus = h("p", { class: "muted", role: "status" }, "Looking for articles…");
  const suggestionList = h("ul", { "aria-label": "Suggested articles" });
  const suggestions = new KeyedList(suggestionList, {
    key: (article) => `${article.article_id}/${article.language}`,
    item: (article) =>
      h(
        "li",
        { lang: article.language },
        h(
          "p",
          {},
          h("a", { href: article.url, target: "_blank", rel: "noopener" }, article.title),
          ` ${article.language.toUpperCase()} `,
          rowButton("Insert link", `Insert a link to ${article.title}`, "insert"),
        ),
        h("p", { class: "muted" }, highlighted(article.snippet)),
      ),
    on: { click: { insert: (article) => insertAtCursor(markdownLink(article.title, article.url)) } },
  });
  const suggested = h(
    "section",
    { class: "card suggested-articles", "aria-labelledby": "suggested-title" },
    h("h2", { id: "suggested-title" }, "Suggested articles"),
    h("p", { class: "muted" }, "Knowledge-base articles the requester may read on their portal."),
    suggestionsProblem.node,
    suggestionsStatus,
    suggestionList,
  );

  /** Put `text` in the reply at its cursor (replacing a selection), and go on typing after it. */
  function insertAtCursor(text) {
    if (message.disabled) return;
    const start = message.selectionStart ?? message.value.length;
    const end = message.selectionEnd ?? start;
    message.setRangeText(text, start, end, "end");
    message.focus();
  }

  async function suggest() {
    try {
      const found = await ctx.api.get(`${path}/articles`);
      suggestions.render(found);
      suggestionsStatus.textContent = found.length ? "" : "No article matches this ticket.";
      suggestionsStatus.hidden = found.length > 0;
      suggestionsProblem.clear();
    } catch (error) {
      suggestionsStatus.hidden = true;
      suggestionsProblem.show(error, "The suggested articles could not be loaded");
    }
  }

  function draw() {
    drawHead();
    drawMeta();
    drawTimeline();
    drawPanel();
    drawComposer();
  }

  /** A file's button was pressed: the API names a short-lived link to it, opened in a new tab. */
  async function download(event) {
    const button = event.target.closest("button[data-file]");
    if (!button) return;
    await busy(button, problem, async () => {
      const link = await ctx.api.get(`${path}/attachments/${encodeURIComponent(button.dataset.file)}`);
      // a new tab: an image or a PDF shows there, any other file is saved; the console stays
      h("a", { href: link.url, target: "_blank", rel: "noopener" }).click();
    });
  }

  // --- live ------------------------------------------------------------------------------

  function told({ detail }) {
    if (!view || detail.ticket?.number !== number || detail.ticket.updated_at <= view.ticket.updated_at) return;
    toldAt = Math.max(toldAt, detail.ticket.updated_at);
    const show = h("button", { type: "button", class: "small" }, "Show the latest");
    show.addEventListener("click", () => busy(show, problem, read));
    const by = detail.type === "ticket.reply" && detail.by ? `${detail.by} replied.` : "This ticket was changed.";
    replace(changed, by, " ", show);
    changed.hidden = false;
  }
  for (const type of NOTICES) ctx.socket.addEventListener(type, told, { signal });
  ctx.operator?.notifier.clear(`ticket:${number}`);

  replace(
    root,
    h("p", {}, h("a", { href: "#/tickets" }, "← Tickets")),
    problem.node,
    h(
      "article",
      { class: "ticket-page", "aria-labelledby": "ticket-title" },
      h(
        "div",
        { class: "ticket-main" },
        h("header", { class: "card" }, head, meta),
        changed,
        conflict,
        h(
          "section",
          { class: "card", "aria-label": "Conversation", on: { click: download } },
          description,
          h("h2", { class: "offscreen" }, "Timeline"),
          timeline,
        ),
        composer,
        suggested,
        automationSection(ctx, number, signal),
      ),
      h("aside", { class: "card ticket-panel", "aria-label": "Ticket details" }, h("h2", {}, "Details"), panel),
    ),
  );
  replace(head, h("p", { class: "muted", role: "status" }, "Loading…"));

  Promise.all([
    ctx.api.get("/api/teams"),
    ctx.api.get("/api/ticket-categories"),
    ctx.api.get("/api/product-areas"),
    ctx.api.get("/api/companies"),
    ctx.api.get("/api/quick-replies"),
  ])
    .then(([teams, categories, areas, companies, replies]) => {
      Object.assign(known, { teams, categories, areas, replies });
      known.companies = new Map(companies.map((company) => [company.id, company.name]));
      quick.append(
        ...replies.map((reply) => h("option", { value: reply.id }, englishOr(titlesOf(reply.variants), "Quick reply"))),
      );
      return read();
    })
    .then(suggest)
    .catch((error) => problem.show(error, `Ticket #${number} could not be loaded`));

  return () => life.abort();
}

/** "[title](url)": a Markdown link, the title's brackets and backslashes escaped so it stays one link. */
export function markdownLink(title, url) {
  return `[${title.replace(/[\\[\]]/g, "\\$&")}](${url})`;
}

/** {en: "title", ...} from a quick reply's variants. */
function titlesOf(variants = {}) {
  return Object.fromEntries(Object.entries(variants).map(([language, variant]) => [language, variant.title]));
}
