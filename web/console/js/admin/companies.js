// Customer companies: who serves each one, the email domains that place new contacts in it, and
// each one's portal (subdomain, status, language, the websites allowed to embed its chat widget)
// with the codes that put it on a website. "Unassigned" holds the contacts no domain places: it
// keeps its name and has neither a portal nor domains.

import { formDialog, openDialog } from "../dialogs.js";
import { h, languageName, languageSelect, replace, toast } from "../dom.js";
import { busy, ErrorMessage } from "../errors.js";
import { KeyedList, KeyedTable } from "../keyed-list.js";
import { checkboxes, copyBlock, Form, loadInto, select, viewHead } from "./ui.js";

const STATUSES = [
  { value: "active", label: "Active: visitors can reach support" },
  { value: "inactive", label: "Inactive: visitors are told the service is unavailable" },
];
// Where the API's errors about a portal belong in its form.
const PORTAL_ERRORS = { invalid_subdomain: "subdomain", subdomain_taken: "subdomain" };
const POPUP_FEATURES = "width=420,height=640,resizable=yes,scrollbars=yes";
const UNASSIGNED = "unassigned";
// Where the API's errors about a domain belong in its form.
const DOMAIN_ERRORS = { domain_taken: "domain", domain_refused: "domain", unassigned_company: "domain" };

/** https://<label>.<the console's host>, as the API's portal_url makes it. */
function portalUrl(config, subdomain) {
  const [scheme, rest] = config.public_url.split("://");
  return `${scheme}://${subdomain}.${rest.replace(/\/+$/, "")}`;
}

/** The staff a company may be served by: technicians, and anyone already serving it. */
function servingOptions(staff, company) {
  const current = company?.technician_ids || [];
  return staff
    .filter((user) => user.role === "technician" || current.includes(user.id))
    .map((user) => ({ value: user.id, label: user.active ? user.name : `${user.name} (deactivated)` }));
}

async function companyDialog(ctx, staff, company, reload) {
  const form = new Form();
  const name = h("input", {
    name: "name",
    value: company?.name || "",
    required: true,
    maxLength: 100,
    readOnly: company?.id === UNASSIGNED,
  });
  const serving = checkboxes("Technicians serving it", servingOptions(staff, company), company?.technician_ids || [], {
    empty: "There are no technicians yet: add them under Staff.",
  });
  const saved = await formDialog({
    title: company ? `Edit ${company.name}` : "New company",
    form,
    fields: [
      form.field(
        "name",
        "Company name",
        name,
        company?.id === UNASSIGNED
          ? "Unassigned keeps its name: it holds the contacts no company's domain places."
          : "",
      ),
      form.group("technician_ids", serving.element),
    ],
    submit: company ? "Save" : "Create company",
    focus: name,
    save: () => {
      const body = { technician_ids: serving.values() };
      if (company?.id !== UNASSIGNED) body.name = name.value;
      return company
        ? ctx.api.patch(`/api/companies/${encodeURIComponent(company.id)}`, body)
        : ctx.api.post("/api/companies", body);
    },
  });
  if (!saved) return;
  toast(company ? `${saved.name} saved.` : `${saved.name} created; give it a portal next.`, "ok");
  await reload();
}

async function portalDialog(ctx, company, reload) {
  const portal = company.portal;
  const form = new Form({}, PORTAL_ERRORS);
  const subdomain = h("input", {
    name: "subdomain",
    value: portal?.subdomain || "",
    required: true,
    maxLength: 63,
    autocomplete: "off",
    spellcheck: false,
  });
  const language = languageSelect(ctx.config.languages, portal?.language || "en", { name: "language" });
  const status = select("status", STATUSES, portal?.status || "active");
  const origins = h("textarea", {
    name: "allowed_origins",
    rows: 4,
    spellcheck: false,
    value: (portal?.allowed_origins || []).join("\n"),
  });
  const address = h("span", { class: "muted" });
  const showAddress = () => {
    address.textContent = subdomain.value.trim() ? portalUrl(ctx.config, subdomain.value.trim().toLowerCase()) : "";
  };
  subdomain.addEventListener("input", showAddress);
  showAddress();
  const saved = await formDialog({
    title: portal ? `${company.name}: portal` : `${company.name}: create a portal`,
    form,
    fields: [
      form.field(
        "subdomain",
        "Subdomain",
        subdomain,
        "3–63 lower-case letters, digits and inner hyphens; some names are reserved.",
      ),
      h("p", { class: "portal-address" }, "Address: ", address),
      h("div", { class: "row" }, form.field("language", "Language", language), form.field("status", "Status", status)),
      form.field(
        "allowed_origins",
        "Websites allowed to embed the chat widget",
        origins,
        "One origin per line, such as https://www.example.com. Leave empty if the widget is not used.",
      ),
    ],
    submit: portal ? "Save portal" : "Create portal",
    focus: subdomain,
    save: () => {
      const body = {
        subdomain: subdomain.value,
        language: language.value,
        status: status.value,
        allowed_origins: origins.value
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean),
      };
      const path = `/api/companies/${encodeURIComponent(company.id)}/portal`;
      return portal ? ctx.api.patch(path, body) : ctx.api.post(path, body);
    },
  });
  if (!saved) return;
  toast(`${company.name}'s portal is at ${portalUrl(ctx.config, saved.subdomain)}.`, "ok");
  await reload();
}

/** The company's email domains: each with a Remove button, and a form to add one. */
function domainsDialog(ctx, company, reload) {
  let domains = [...company.domains];
  const path = `/api/companies/${encodeURIComponent(company.id)}/domains`;
  const problem = new ErrorMessage();
  const held = h("ul", { class: "domains" });
  const list = new KeyedList(held, {
    key: (domain) => domain,
    item: (domain) =>
      h(
        "li",
        {},
        h("code", {}, domain),
        " ",
        h(
          "button",
          { type: "button", class: "small", "aria-label": `Remove ${domain}`, dataset: { action: "remove" } },
          "Remove",
        ),
      ),
    on: {
      click: {
        remove: async (domain, button) => {
          await busy(button, problem, async () => {
            domains = (await ctx.api.del(`${path}/${encodeURIComponent(domain)}`)).domains;
            show();
            await reload();
          });
        },
      },
    },
  });
  const none = h("p", { class: "muted" }, "No domains yet: new contacts land in Unassigned.");
  const show = () => {
    list.render(domains);
    none.hidden = domains.length > 0;
  };
  const form = new Form({}, DOMAIN_ERRORS);
  const domain = h("input", { name: "domain", required: true, maxLength: 255, autocomplete: "off", spellcheck: false });
  form.element.append(
    form.field(
      "domain",
      "Add a domain",
      domain,
      "example.com, or *.example.com to match its subdomains too. Free-mail and disposable-mail domains are refused.",
    ),
    form.problem.node,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add domain")),
  );
  form.onSubmit(async () => {
    domains = (await ctx.api.post(path, { domain: domain.value })).domains;
    domain.value = "";
    show();
    toast(`${company.name} now holds ${domains.at(-1)}.`, "ok");
    await reload();
  });
  show();
  openDialog(
    `${company.name}: email domains`,
    h(
      "p",
      { class: "muted" },
      "A new contact whose address is at one of these domains is placed in this company (never as a primary contact).",
    ),
    held,
    none,
    problem.node,
    form.element,
  );
  domain.focus();
}

function previewLink(href, { popup = false } = {}) {
  const link = h("a", { class: "button small", href, target: "_blank", rel: "noopener" }, "Preview");
  if (popup) {
    link.addEventListener("click", (event) => {
      // as the snippet does: a sized popup, or the plain link when popups are blocked
      if (window.open(link.href, "deskless-preview", POPUP_FEATURES)) event.preventDefault();
    });
  }
  return link;
}

async function embedDialog(ctx, company) {
  const body = h("div", { class: "embed" });
  openDialog(`${company.name}: URLs and code`, body).classList.add("wide");
  await loadInto(
    body,
    () => ctx.api.get(`/api/companies/${encodeURIComponent(company.id)}/portal/embed`),
    (codes) => [
      copyBlock("Standalone URL", codes.url, previewLink(`${codes.url}/`)),
      copyBlock("Popup link", codes.popup, previewLink(`${codes.url}/`, { popup: true })),
      copyBlock(
        "Chat widget",
        codes.widget,
        codes.allowed_origins.length
          ? previewLink(`${codes.url}/widget?origin=${encodeURIComponent(codes.allowed_origins[0])}`)
          : null,
      ),
      h("p", { class: codes.allowed_origins.length ? "notice info" : "notice" }, codes.note),
      codes.allowed_origins.length
        ? h("p", { class: "muted" }, `Allowed websites: ${codes.allowed_origins.join(", ")}`)
        : null,
    ],
  );
}

function portalCell(ctx, portal) {
  if (!portal) return h("span", { class: "muted" }, "No portal");
  const url = portalUrl(ctx.config, portal.subdomain);
  return [
    portal.status === "active"
      ? h("span", { class: "badge ok" }, "Active")
      : h("span", { class: "badge warn" }, "Inactive"),
    " ",
    h("a", { href: `${url}/`, target: "_blank", rel: "noopener" }, portal.subdomain),
    h("small", { class: "muted" }, ` · ${languageName(portal.language)}`),
  ];
}

/** A company's row, from what it shows: the company, with the names of who serves it (servedBy). */
function companyRow(ctx, company) {
  return h(
    "tr",
    {},
    h("th", { scope: "row", class: "name" }, company.name),
    h("td", {}, company.servedBy.length ? company.servedBy.join(", ") : h("span", { class: "muted" }, "nobody yet")),
    h(
      "td",
      { class: "domains-cell" },
      company.id === UNASSIGNED
        ? h("span", { class: "muted" }, "contacts no domain places")
        : company.domains.length
          ? company.domains.join(", ")
          : h("span", { class: "muted" }, "none"),
    ),
    h(
      "td",
      {},
      company.id === UNASSIGNED ? h("span", { class: "muted" }, "Help centre") : portalCell(ctx, company.portal),
    ),
    h(
      "td",
      { class: "row-actions" },
      h(
        "button",
        { type: "button", class: "small", "aria-label": `Edit ${company.name}`, dataset: { action: "edit" } },
        "Edit",
      ),
      company.id === UNASSIGNED
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "small",
              "aria-label": `Email domains of ${company.name}`,
              dataset: { action: "domains" },
            },
            "Domains",
          ),
      company.id === UNASSIGNED
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "small",
              "aria-label": `${company.portal ? "Edit the portal of" : "Create a portal for"} ${company.name}`,
              dataset: { action: "portal" },
            },
            company.portal ? "Edit portal" : "Create portal",
          ),
      company.portal
        ? h(
            "button",
            {
              type: "button",
              class: "small",
              "aria-label": `Show URLs and code of ${company.name}`,
              dataset: { action: "embed" },
            },
            "Show URLs and code",
          )
        : null,
    ),
  );
}

export const companiesView = {
  id: "companies",
  title: "Companies",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    let staff = [];
    const list = new KeyedTable({
      caption: "Companies",
      columns: ["Company", "Served by", "Email domains", "Portal", ""],
      className: "companies-table",
      empty: "No companies yet: create the first one.",
      key: (company) => company.id,
      item: (company) => companyRow(ctx, company),
      on: {
        click: {
          edit: (company) => companyDialog(ctx, staff, company, reload),
          portal: (company) => portalDialog(ctx, company, reload),
          domains: (company) => domainsDialog(ctx, company, reload),
          embed: (company) => embedDialog(ctx, company),
        },
      },
    });
    const reload = () =>
      list.load(async () => {
        const [companies, users] = await Promise.all([ctx.api.get("/api/companies"), ctx.api.get("/api/staff")]);
        staff = users;
        create.disabled = false;
        const names = new Map(staff.map((user) => [user.id, user.name]));
        const servedBy = (company) => company.technician_ids.map((id) => names.get(id) || "unknown user");
        return companies.map((company) => ({ ...company, servedBy: servedBy(company) }));
      });
    // enabled once the staff who may serve a company are known
    const create = h(
      "button",
      {
        type: "button",
        class: "primary",
        disabled: true,
        on: { click: () => companyDialog(ctx, staff, null, reload) },
      },
      "New company",
    );
    replace(
      root,
      viewHead(
        "Companies",
        "Customer companies, the technicians who serve each one, the email domains that place new contacts in " +
          "each, and each one's support portal.",
        create,
      ),
      h("section", { class: "card" }, list.node),
    );
    reload();
  },
};
