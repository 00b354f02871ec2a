// Tickets: the lists technicians work from (Mine, each of my teams, Unassigned, All active, each
// status, each priority, each with its count), sorted by the latest change or by priority,
// searched by number or by words of titles and requesters, a page at a time; "New ticket" opens
// one for a contact. #/tickets/<number> is a ticket's own page (ticket.js).
//
// Live: the events function tells a ticket's followers of each change (`ticket.new`,
// `ticket.changed`, `ticket.reply` on the WebSocket); the list and the counts on screen are read
// again, once for a burst of notices. (Alerts, sound and browser notifications are the
// operator's notifier's: operator/index.js.)

import { Form, select, viewHead } from "../admin/ui.js";
import { formDialog } from "../dialogs.js";
import { dateTime, field, h, replace, toast } from "../dom.js";
import { PagedTable } from "../keyed-list.js";
import { mountTicket } from "./ticket.js";
import { LEVELS, PRIORITIES, priorityBadge, STATUSES, statusBadge } from "./ticket-words.js";

const SEARCH_DELAY_MS = 250;
const REFRESH_DELAY_MS = 400; // a burst of notices (a reply and its status change) reads once
export const TICKET_NOTICES = ["ticket.new", "ticket.changed", "ticket.reply"];

/** The lists in the sidebar, in order: {id, label, scope, status, count (the counts' key)}. */
function listsFor(teams) {
  return [
    { id: "mine", label: "Mine", scope: "mine", status: "active" },
    ...teams.map((team) => ({ id: `team:${team.id}`, label: team.name, scope: `team:${team.id}`, status: "active" })),
    { id: "unassigned", label: "Unassigned", scope: "unassigned", status: "active" },
    { id: "active", label: "All active", scope: "all", status: "active" },
    ...STATUSES.map((s) => ({ id: `status:${s.value}`, label: s.label, scope: "all", status: s.value })),
    ...PRIORITIES.map((p) => ({
      id: `priority:${p.value}`,
      label: p.label,
      scope: `priority:${p.value}`,
      status: "active",
    })),
  ].map((list) => ({ ...list, count: `${list.scope}|${list.status}` }));
}

function ticketRow(ticket) {
  return h(
    "tr",
    { dataset: { number: String(ticket.number) } },
    h("td", {}, `#${ticket.number}`),
    h("th", { scope: "row", class: "name" }, h("a", { href: `#/tickets/${ticket.number}` }, ticket.title)),
    h("td", {}, ticket.requester.name, h("br"), h("small", { class: "muted" }, ticket.requester.email)),
    h("td", {}, ticket.companyName),
    h("td", {}, statusBadge(ticket.status)),
    h("td", {}, priorityBadge(ticket.priority, ticket.priority_overridden)),
    h("td", {}, ticket.assignee ? ticket.assignee.name : h("span", { class: "muted" }, "Unassigned")),
    h("td", {}, h("time", { dateTime: new Date(ticket.updated_at).toISOString() }, dateTime(ticket.updated_at))),
  );
}

/** "New ticket": for a contact found by a search, then its page. */
async function newTicketDialog(ctx) {
  const form = new Form();
  const query = h("input", { type: "search", autocomplete: "off", maxLength: 100 });
  const contact = h("select", { name: "requester_id", required: true }, h("option", { value: "" }, "Search first"));
  const title = h("input", { name: "title", required: true, maxLength: 200 });
  const description = h("textarea", { name: "description", rows: 5, required: true });
  const impact = select("impact", LEVELS, "medium");
  const urgency = select("urgency", LEVELS, "medium");
  let timer = 0;
  const find = async () => {
    const q = query.value.trim();
    if (!q) return;
    try {
      const page = await ctx.api.get(`/api/contacts?${new URLSearchParams({ q })}`);
      const active = page.contacts.filter((found) => found.active);
      contact.replaceChildren(
        ...(active.length
          ? active.map((found) => h("option", { value: found.id }, `${found.name} <${found.emails[0]}>`))
          : [h("option", { value: "" }, "No contact matches")]),
      );
      form.problem.clear();
    } catch (error) {
      form.problem.show(error, "The contacts could not be searched");
    }
  };
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(find, SEARCH_DELAY_MS);
  });
  const opened = await formDialog({
    title: "New ticket",
    form,
    fields: [
      field("Find the contact", query, "A word of the name, an address or a domain."),
      form.field("requester_id", "Contact", contact),
      form.field("title", "Title", title),
      form.field("description", "Description", description),
      h("div", { class: "row" }, form.field("impact", "Impact", impact), form.field("urgency", "Urgency", urgency)),
    ],
    submit: "Open ticket",
    focus: query,
    save: () => {
      if (!contact.value) throw new Error("Choose the contact the ticket is for.");
      return ctx.api.post("/api/tickets", {
        requester_id: contact.value,
        title: title.value,
        description: description.value,
        impact: impact.value,
        urgency: urgency.value,
      });
    },
  });
  clearTimeout(timer);
  if (!opened) return;
  toast(`Ticket #${opened.ticket.number} opened.`, "ok");
  location.hash = `#/tickets/${opened.ticket.number}`;
}

function mountLists(root, ctx) {
  const life = new AbortController();
  const { signal } = life;
  let lists = listsFor([]);
  let chosen = sessionStorage.getItem("deskless.tickets.list") || "mine";
  let counts = {};
  let companies = new Map();
  let searchTimer = 0;
  let refreshTimer = 0;

  const sidebar = h("ul", { class: "ticket-lists" });
  const heading = h("h2", { id: "ticket-list-title" });
  const table = new PagedTable({
    caption: "Tickets",
    columns: ["Number", "Title", "Requester", "Company", "Status", "Priority", "Assignee", "Updated"],
    className: "tickets-table",
    empty: "No tickets here.",
    key: (ticket) => ticket.number,
    item: ticketRow,
  });
  const query = h("input", { type: "search", name: "q", autocomplete: "off", maxLength: 100 });
  const sort = select(
    "sort",
    [
      { value: "updated", label: "Latest update" },
      { value: "priority", label: "Priority" },
    ],
    sessionStorage.getItem("deskless.tickets.sort") || "updated",
  );
  const named = (ticket) => ({ ...ticket, companyName: companies.get(ticket.company_id) || "" });

  const current = () => lists.find((list) => list.id === chosen) || lists[0];

  function drawSidebar() {
    replace(
      sidebar,
      lists.map((list) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "ticket-list",
              "aria-current": list.id === current().id ? "true" : null,
              dataset: { list: list.id },
            },
            h("span", {}, list.label),
            h("span", { class: "count" }, counts[list.count] ?? "…"),
            h("span", { class: "offscreen" }, " tickets"),
          ),
        ),
      ),
    );
  }

  function drawHeading() {
    heading.textContent = query.value.trim() ? `Tickets matching “${query.value.trim()}”` : current().label;
  }

  const reload = () => {
    drawHeading();
    // the list, sort and search as they are now; the next pages are of this list
    const list = current();
    const filters = { scope: list.scope, sort: sort.value };
    if (list.status) filters.status = list.status;
    if (query.value.trim()) filters.q = query.value.trim();
    return table.loadPages(
      filters,
      async (query) => {
        const page = await ctx.api.get(`/api/tickets?${query}`);
        return { things: page.tickets.map(named), next: page.next };
      },
      "The tickets could not be loaded",
    );
  };

  const recount = async () => {
    try {
      counts = (await ctx.api.get("/api/tickets/counts")).counts;
      drawSidebar();
    } catch (error) {
      table.problem.show(error, "The counts could not be loaded");
    }
  };

  const refresh = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      reload();
      recount();
    }, REFRESH_DELAY_MS);
  };

  sidebar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-list]");
    if (!button) return;
    chosen = button.dataset.list;
    sessionStorage.setItem("deskless.tickets.list", chosen);
    query.value = "";
    drawSidebar();
    sidebar.querySelector(`button[data-list="${CSS.escape(chosen)}"]`)?.focus();
    reload();
  });
  query.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(reload, SEARCH_DELAY_MS);
  });
  sort.addEventListener("change", () => {
    sessionStorage.setItem("deskless.tickets.sort", sort.value);
    reload();
  });
  for (const type of TICKET_NOTICES) ctx.socket.addEventListener(type, refresh, { signal });
  ctx.socket.addEventListener("open", refresh, { signal }); // what changed while disconnected

  replace(
    root,
    viewHead(
      "Tickets",
      "What customers asked, and who works on it.",
      h("button", { type: "button", class: "primary", on: { click: () => newTicketDialog(ctx) } }, "New ticket"),
    ),
    h(
      "div",
      { class: "tickets-layout" },
      h("nav", { class: "card ticket-nav", "aria-label": "Ticket lists" }, sidebar),
      h(
        "section",
        { class: "card", "aria-labelledby": "ticket-list-title" },
        heading,
        h(
          "form",
          { class: "row ticket-search", role: "search", on: { submit: (event) => event.preventDefault() } },
          field("Search tickets", query, "A ticket's number, or words of titles and requesters."),
          field("Sort by", sort),
        ),
        table.node,
        table.more,
      ),
    ),
  );
  drawSidebar();
  Promise.all([ctx.api.get("/api/teams"), ctx.api.get("/api/companies")])
    .then(([teams, found]) => {
      const before = current().id;
      lists = listsFor(teams.filter((team) => team.members.includes(ctx.me.id)));
      companies = new Map(found.map((company) => [company.id, company.name]));
      drawSidebar();
      if (current().id !== before)
        reload(); // the list chosen was one of my teams'
      else table.render(table.shown.map(named));
    })
    .catch((error) => table.problem.show(error, "The teams and companies could not be loaded"));
  reload();
  recount();
  return () => {
    life.abort();
    clearTimeout(searchTimer);
    clearTimeout(refreshTimer);
  };
}

export const ticketsView = {
  id: "tickets",
  title: "Tickets",
  group: "Help desk",
  roles: ["technician", "admin"],
  mount(root, ctx, rest = "") {
    return /^\d+$/.test(rest) ? mountTicket(root, ctx, Number(rest)) : mountLists(root, ctx);
  },
};
