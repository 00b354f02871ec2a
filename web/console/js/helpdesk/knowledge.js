// The knowledge base: every article by category or by state (GET /api/articles), and an editor per
// article (#/knowledge/<id>, #/knowledge/new): its category, tags, visibility and companies, a tab
// per language with its title, Markdown body and a live preview (POST /api/articles/preview, the
// portal's own rendering, read once typing pauses), publish / unpublish / archive per language,
// its history and its "Was this helpful?" votes. A save names the revision it was made from: if
// someone else saved first, the API refuses it (409) and the editor says so, keeping what was typed.
// Above the list, a search of every article in every state (GET /api/articles/search, as typing
// pauses), its hits highlighted; for admins, the deflection figures per week (GET
// /api/knowledge/deflection): how often suggested articles answered customers before a ticket.

import { select, viewHead } from "../admin/ui.js";
import { Latest } from "../api.js";
import { dateTime, field, h, highlighted, replace, toast } from "../dom.js";
import { busy, ErrorMessage } from "../errors.js";
import { KeyedList, KeyedTable, PagedTable } from "../keyed-list.js";

const PREVIEW_DELAY_MS = 300;
const SEARCH_DELAY_MS = 250;
const DEFLECTION_WEEKS = 12;
const LANGUAGES = [
  { value: "en", label: "English" },
  { value: "es", label: "Español" },
  { value: "de", label: "Deutsch" },
  { value: "cs", label: "Čeština" },
];
const VISIBILITIES = [
  { value: "public", label: "Public: anyone on the portal, even signed out" },
  { value: "customers", label: "Customers: signed-in contacts" },
  { value: "internal", label: "Internal: staff only" },
];
const STATE_LABELS = { draft: "Draft", published: "Published", archived: "Archived" };
const FIELD_LABELS = {
  created: "created",
  title: "title",
  body: "body",
  state: "state",
  category: "category",
  tags: "tags",
  visibility: "visibility",
  companies: "companies",
};

function stateBadge(state) {
  return h("span", { class: ["badge", `state-${state}`] }, STATE_LABELS[state] || state);
}

function variantsCell(article) {
  return LANGUAGES.filter((language) => article.variants[language.value]).map((language) =>
    h(
      "span",
      { class: "kb-variant", lang: language.value },
      `${language.value.toUpperCase()} `,
      stateBadge(article.variants[language.value].state),
      " ",
    ),
  );
}

function titleOf(article) {
  const shown = article.variants.en || Object.values(article.variants)[0];
  return shown ? shown.title : "(untitled)";
}

// --- the list -------------------------------------------------------------------------------------

function mountList(root, ctx) {
  let categories = [];
  const category = h("select", { name: "category_id" }, h("option", { value: "" }, "Every category"));
  const state = select(
    "state",
    [{ value: "", label: "Any state" }, ...Object.entries(STATE_LABELS).map(([value, label]) => ({ value, label }))],
    "",
  );
  const named = (id) => categories.find((c) => c.id === id)?.name || "—";
  const list = new PagedTable({
    caption: "Articles",
    columns: ["Title", "Category", "Languages", "Visibility", "Updated"],
    className: "kb-table",
    empty: "No articles here yet.",
    key: (article) => article.id,
    item: (article) =>
      h(
        "tr",
        { dataset: { article: article.id } },
        h("th", { scope: "row", class: "name" }, h("a", { href: `#/knowledge/${article.id}` }, titleOf(article))),
        h("td", {}, named(article.category_id)),
        h("td", {}, variantsCell(article)),
        h("td", {}, article.visibility, article.companies.length ? ` (${article.companies.length} companies)` : ""),
        h("td", {}, dateTime(article.updated_at)),
      ),
  });
  const search = articleSearch(ctx, () => ({ state: state.value, category_id: category.value }));
  const reload = () => {
    const filters = {};
    if (state.value) filters.state = state.value;
    else if (category.value) filters.category_id = category.value;
    search.run();
    return list.loadPages(
      filters,
      async (query) => {
        const page = await ctx.api.get(`/api/articles?${query}`);
        return { things: page.articles, next: page.next };
      },
      "The articles could not be loaded",
    );
  };
  const listed = h("div", {}, list.node, list.more); // hidden while the search shows its hits
  category.addEventListener("change", () => {
    state.value = "";
    reload();
  });
  state.addEventListener("change", () => {
    category.value = "";
    reload();
  });
  search.input.addEventListener("input", () => {
    listed.hidden = search.input.value.trim() !== "";
  });
  replace(
    root,
    viewHead(
      "Knowledge base",
      "Articles customers read on their portal, in each language you write them in.",
      h("a", { class: "button primary", href: "#/knowledge/new" }, "New article"),
    ),
    h(
      "section",
      { class: "card" },
      h(
        "form",
        { class: "row filters", role: "search", on: { submit: (event) => event.preventDefault() } },
        field("Search", search.input, "Words of a title, tags or body, in every state."),
        field("Category", category),
        field("State", state),
      ),
      search.node,
      listed,
    ),
    ctx.me.role === "admin" ? deflectionPanel(ctx) : null,
  );
  ctx.api
    .get("/api/knowledge/categories")
    .then((found) => {
      categories = found;
      category.append(...found.map((c) => h("option", { value: c.id }, c.name)));
      reload();
    })
    .catch((error) => list.fail(error, "The categories could not be loaded"));
}

/**
 * The search box and its hits: asked as typing pauses, each hit a link to its editor with its
 * title and snippet highlighted (deskless.knowledge_index's HTML, drawn as text and <mark> only).
 * `filters()` gives the list's state and category, which the search keeps to.
 */
function articleSearch(ctx, filters) {
  const input = h("input", { type: "search", name: "q", autocomplete: "off", maxLength: 200 });
  const problem = new ErrorMessage();
  const status = h("p", { class: "muted", role: "status" });
  const hits = h("ul", { class: "kb-hits", "aria-label": "Search results" });
  const list = new KeyedList(hits, {
    key: (hit) => `${hit.article_id}/${hit.language}`,
    item: (hit) =>
      h(
        "li",
        { class: "kb-hit", lang: hit.language },
        h(
          "p",
          {},
          h("a", { href: `#/knowledge/${hit.article_id}`, class: "kb-hit-title" }, highlighted(hit.title)),
          ` ${hit.language.toUpperCase()} `,
          stateBadge(hit.state),
        ),
        h("p", { class: "kb-snippet muted" }, highlighted(hit.snippet)),
      ),
  });
  const node = h("div", { class: "kb-search", hidden: true }, problem.node, status, hits);
  let timer = 0;
  const searches = new Latest(); // an older search's answer arriving late is dropped
  const run = async () => {
    clearTimeout(timer);
    const text = input.value.trim();
    node.hidden = !text;
    if (!text) return;
    const { state, category_id } = filters();
    const query = new URLSearchParams({ q: text });
    if (state) query.set("state", state);
    if (category_id) query.set("category_id", category_id);
    const latest = searches.next();
    try {
      const found = await ctx.api.get(`/api/articles/search?${query}`);
      if (!latest()) return;
      list.render(found);
      status.textContent = found.length ? `${found.length} found.` : "No article matches.";
      problem.clear();
    } catch (error) {
      if (latest()) problem.show(error, "The search failed");
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, SEARCH_DELAY_MS);
  });
  return { input, node, run };
}

/** For admins: the deflection figures of the latest weeks, with what each counts. */
function deflectionPanel(ctx) {
  const table = new KeyedTable({
    caption: "Deflection per week",
    columns: [
      "Week",
      "Forms shown suggestions",
      "Suggestions shown",
      "Articles opened",
      "Solved by the knowledge base",
      "Tickets submitted after opening",
    ],
    className: "kb-deflection",
    empty: "No ticket form has been shown a suggestion yet.",
    key: (week) => week.week,
    item: (week) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, week.week),
        h("td", {}, String(week.forms)),
        h("td", {}, String(week.suggested)),
        h("td", {}, String(week.opened)),
        h("td", {}, String(week.abandoned)),
        h("td", {}, String(week.submitted_after_opening)),
      ),
  });
  table.load(
    () => ctx.api.get(`/api/knowledge/deflection?weeks=${DEFLECTION_WEEKS}`),
    "The deflection figures could not be loaded",
  );
  return h(
    "section",
    { class: "card", "aria-labelledby": "kb-deflection-title" },
    h("h2", { id: "kb-deflection-title" }, "Deflection"),
    h(
      "p",
      { class: "muted" },
      "While customers type a ticket on their portal, the form suggests articles. Per week (of the form's start): " +
        "forms that were shown suggestions, the articles suggested (each once per form), those opened from the " +
        "suggestions, forms left without a ticket for a day after an article was opened (solved by the knowledge " +
        "base), and forms whose ticket was submitted all the same after an article was opened.",
    ),
    table.node,
  );
}

// --- the editor -----------------------------------------------------------------------------------

/** One language's tab: title, body with a live preview, its state and the buttons that change it. */
function variantPanel(ctx, language, variant, onState) {
  const title = h("input", { name: `title-${language.value}`, maxLength: 200, value: variant?.title || "" });
  const body = h("textarea", {
    name: `body-${language.value}`,
    rows: 16,
    class: "kb-body",
    value: variant?.body || "",
  });
  const preview = h("div", { class: "kb-preview", "aria-live": "polite", lang: language.value });
  const previewProblem = new ErrorMessage();
  let state = variant?.state || "draft";
  const badge = h("span", {}, stateBadge(state));
  let timer = 0;
  const previews = new Latest(); // an older preview's answer arriving late is dropped
  const render = async () => {
    const latest = previews.next();
    try {
      const shown = await ctx.api.post("/api/articles/preview", { body: body.value });
      if (!latest()) return;
      // The API's rendering: raw HTML off, links and images checked (deskless.rendering.render_article).
      preview.innerHTML = shown.html;
      previewProblem.clear();
    } catch (error) {
      if (latest()) previewProblem.show(error, "The preview could not be made");
    }
  };
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, PREVIEW_DELAY_MS);
  });
  const stateButton = (to, text) =>
    h("button", { type: "button", dataset: { state: to }, on: { click: () => onState(language.value, to) } }, text);
  const panel = h(
    "section",
    { class: "kb-panel", id: `kb-panel-${language.value}`, role: "tabpanel", hidden: true, lang: language.value },
    h("p", {}, "State: ", badge),
    field("Title", title),
    h(
      "div",
      { class: "kb-split" },
      field("Body (Markdown)", body, "Headings, lists, code, tables, links; images from https addresses."),
      h("div", {}, h("h3", {}, "Preview"), previewProblem.node, preview),
    ),
    h(
      "div",
      { class: "actions" },
      stateButton("published", "Publish"),
      stateButton("draft", "Unpublish"),
      stateButton("archived", "Archive"),
    ),
  );
  if (variant) render();
  return {
    language: language.value,
    panel,
    present: () => Boolean(variant) || title.value.trim() !== "",
    change: (saved) => {
      const wanted = { title: title.value, body: body.value };
      if (!saved) return { ...wanted, state };
      const changed = {};
      if (wanted.title !== saved.title) changed.title = wanted.title;
      if (wanted.body !== saved.body) changed.body = wanted.body;
      if (state !== saved.state) changed.state = state;
      return Object.keys(changed).length ? changed : null;
    },
    setState(to) {
      state = to;
      badge.replaceChildren(stateBadge(to));
    },
    saved(next) {
      variant = next;
      state = next.state;
      badge.replaceChildren(stateBadge(state));
    },
    stop: () => clearTimeout(timer),
  };
}

function historyList(entries) {
  if (!entries.length) return h("p", { class: "muted" }, "No changes yet.");
  return h(
    "ol",
    { class: "kb-history" },
    entries.map((entry) =>
      h(
        "li",
        {},
        h("time", { dateTime: new Date(entry.at).toISOString() }, dateTime(entry.at)),
        ` ${entry.by.name}: `,
        entry.changes
          .map((change) => {
            const where = change.language ? `${change.language.toUpperCase()} ` : "";
            const what = FIELD_LABELS[change.field] || change.field;
            if (change.field === "body") return `${where}${what} changed`;
            if (change.field === "created") return `${where}created (${change.after})`;
            return `${where}${what}: ${change.before ?? "—"} → ${change.after ?? "—"}`;
          })
          .join("; "),
      ),
    ),
  );
}

/** The editor, drawn once the article is read, unless the view was left meanwhile (`signal`). */
async function mountEditor(root, ctx, id, signal) {
  replace(root, h("p", { class: "muted" }, "Loading…"));
  const [categories, companies, found] = await Promise.all([
    ctx.api.get("/api/knowledge/categories"),
    ctx.api.get("/api/companies").catch(() => []),
    id === "new" ? Promise.resolve(null) : ctx.api.get(`/api/articles/${encodeURIComponent(id)}`),
  ]);
  if (signal.aborted) return null; // root is another view's now
  let article = found;
  const problem = new ErrorMessage();
  const category = h(
    "select",
    { name: "category_id", required: true },
    categories.map((c) => h("option", { value: c.id, selected: c.id === article?.category_id }, c.name)),
  );
  const tags = h("input", { name: "tags", value: (article?.tags || []).join(", ") });
  const visibility = select("visibility", VISIBILITIES, article?.visibility || "public");
  const restricted = h(
    "select",
    { name: "companies", multiple: true, size: Math.min(6, Math.max(2, companies.length)) },
    companies.map((c) => h("option", { value: c.id, selected: (article?.companies || []).includes(c.id) }, c.name)),
  );
  const history = h("div", {});
  const votes = h("p", { id: "kb-votes" });
  const save = h("button", { type: "submit", class: "primary" }, article ? "Save" : "Create article");
  const onState = (language, to) => {
    panels.find((panel) => panel.language === language).setState(to);
    form.requestSubmit();
  };
  const panels = LANGUAGES.map((language) => variantPanel(ctx, language, article?.variants[language.value], onState));
  const tabs = h(
    "div",
    { role: "tablist", class: "kb-tabs", "aria-label": "Languages" },
    LANGUAGES.map((language) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `kb-tab-${language.value}`,
          "aria-controls": `kb-panel-${language.value}`,
          dataset: { language: language.value },
        },
        language.label,
      ),
    ),
  );
  const show = (language) => {
    for (const tab of tabs.children) tab.setAttribute("aria-selected", String(tab.dataset.language === language));
    for (const panel of panels) panel.panel.hidden = panel.language !== language;
  };
  tabs.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) show(tab.dataset.language);
  });
  const settings = () => ({
    category_id: category.value,
    tags: tags.value
      .split(/[\s,]+/)
      .map((tag) => tag.trim())
      .filter(Boolean),
    visibility: visibility.value,
    companies: [...restricted.selectedOptions].map((option) => option.value),
  });
  const drawMeta = async () => {
    if (!article) return;
    votes.textContent = `Was this helpful? ${article.votes.helpful} yes, ${article.votes.unhelpful} no.`;
    try {
      replace(history, historyList(await ctx.api.get(`/api/articles/${article.id}/history`)));
    } catch (error) {
      replace(history, h("p", { class: "error" }, `The history could not be loaded: ${error.message}`));
    }
  };
  const form = h(
    "form",
    { class: "admin-form kb-editor", noValidate: true },
    h(
      "div",
      { class: "row" },
      field("Category", category),
      field("Tags", tags, "Words separated by commas."),
      field("Visibility", visibility),
      field("Only for these companies", restricted, "None chosen: every company."),
    ),
    tabs,
    panels.map((panel) => panel.panel),
    problem.node,
    h("div", { class: "actions" }, save, h("a", { href: "#/knowledge" }, "Back to the list")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(save, problem, async () => {
      if (!article) {
        const variants = {};
        for (const panel of panels) if (panel.present()) variants[panel.language] = panel.change(null);
        if (!Object.keys(variants).length) throw new Error("Give the article a title in one language at least.");
        const created = await ctx.api.post("/api/articles", { ...settings(), variants });
        toast("Article created.", "ok");
        location.hash = `#/knowledge/${created.id}`;
        return;
      }
      const variants = {};
      for (const panel of panels) {
        if (!panel.present()) continue;
        const changed = panel.change(article.variants[panel.language]);
        if (changed) variants[panel.language] = changed;
      }
      try {
        article = await ctx.api.patch(`/api/articles/${article.id}`, {
          revision: article.revision,
          ...settings(),
          variants,
        });
      } catch (error) {
        if (error.status === 409) {
          throw new Error(`${error.message} What you typed is still here: copy it before reloading.`);
        }
        throw error;
      }
      for (const panel of panels) if (article.variants[panel.language]) panel.saved(article.variants[panel.language]);
      toast("Article saved.", "ok");
      drawMeta();
    });
  });
  replace(
    root,
    viewHead(article ? titleOf(article) : "New article", article ? `Written by ${article.author.name}.` : ""),
    h("section", { class: "card" }, form),
    article
      ? h(
          "section",
          { class: "card", "aria-labelledby": "kb-meta" },
          h("h2", { id: "kb-meta" }, "Votes and history"),
          votes,
          history,
        )
      : null,
  );
  show(article ? Object.keys(article.variants)[0] : "en");
  drawMeta();
  return () => {
    for (const panel of panels) panel.stop();
  };
}

export const knowledgeView = {
  id: "knowledge",
  title: "Knowledge base",
  group: "Help desk",
  roles: ["technician", "admin"],
  mount(root, ctx, rest = "") {
    if (!rest) return mountList(root, ctx);
    const life = new AbortController();
    let stop = null;
    mountEditor(root, ctx, rest, life.signal)
      .then((unmount) => {
        stop = unmount;
      })
      .catch((error) => {
        if (!life.signal.aborted) replace(root, h("p", { class: "error", role: "alert" }, error.message));
      });
    return () => {
      life.abort();
      stop?.();
    };
  },
};
