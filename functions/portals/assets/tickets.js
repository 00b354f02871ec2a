/* Deskless ticket pages (My activities, the ticket form, a ticket): times in the reader's locale;
   on the form, the chosen category's fields shown (the others kept, hidden, so nothing typed is
   lost), its files uploaded (a form for each from the attachments API, the file posted to the
   bucket), then the ticket posted as JSON with the session's CSRF token and the files' ids, each
   problem said next to its field; on a ticket, a reply (with files) and "Close my ticket".

   The form tells the knowledge base what is being written: a `deskless:ticket-draft` CustomEvent
   on the document, its detail `{title, description}`, 300 ms after the typing stops. On each, the
   articles that may help are asked for (with the form's draft id, made when it loads and sent with
   the ticket; only the latest question's answer is shown) and listed beside the description, each
   title and snippet made of text and <mark>s only; one opens in place, in the page's dialog (its
   page fetched and its article element taken), the form kept as it was typed. */
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("tickets-data").textContent);
  const T = data.text;
  const DRAFT_DELAY_MS = 300;
  let draftId = null; // the form's, made when it loads: its suggestions, the articles opened, its ticket

  function localTimes() {
    const format = new Intl.DateTimeFormat(data.lang, { dateStyle: "medium", timeStyle: "short" });
    for (const element of document.querySelectorAll("time[datetime]")) {
      const moment = new Date(element.getAttribute("datetime"));
      if (!Number.isNaN(moment.getTime())) element.textContent = format.format(moment);
    }
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": data.csrf },
      body: JSON.stringify(body),
    });
    let answer = {};
    try {
      answer = await response.json();
    } catch {
      answer = {};
    }
    return { status: response.status, answer };
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
  }

  // --- files: a form per file from the attachments API, the file posted to the bucket ----------------

  class UploadProblem extends Error {
    constructor(control, words) {
      super(words);
      this.control = control;
    }
  }

  const uploaded = new WeakMap(); // a file already uploaded is not sent again when the form is sent again

  async function upload(input, statusElement) {
    const ids = [];
    const megabytes = data.max_file_bytes / 1000000;
    for (const file of input ? input.files : []) {
      if (uploaded.has(file)) {
        ids.push(uploaded.get(file));
        continue;
      }
      if (file.size > data.max_file_bytes) {
        throw new UploadProblem(input.id, fill(T.error_file_too_large, { name: file.name, size: megabytes }));
      }
      statusElement.textContent = fill(T.status_uploading, { name: file.name });
      const wanted = { name: file.name, content_type: file.type || "application/octet-stream", size: file.size };
      const { status, answer } = await post(data.api.upload, wanted);
      if (status !== 201) {
        throw new UploadProblem(input.id, answer.message || fill(T.error_upload, { name: file.name }));
      }
      const form = new FormData();
      for (const [name, value] of Object.entries(answer.fields)) form.append(name, value);
      form.append("file", file);
      const sent = await fetch(answer.url, { method: "POST", body: form });
      if (!sent.ok) throw new UploadProblem(input.id, fill(T.error_upload, { name: file.name }));
      uploaded.set(file, answer.attachment_id);
      ids.push(answer.attachment_id);
    }
    statusElement.textContent = "";
    return ids;
  }

  function ticketPath(template, number) {
    return template.replace("{number}", encodeURIComponent(number));
  }

  function toTicket(number, done) {
    const query = data.lang_query ? `${data.lang_query}&done=${done}` : `?done=${done}`;
    window.location.assign(`${data.pages}${number}${query}`);
  }

  // --- problems next to their fields -----------------------------------------------------------------

  function say(id, words) {
    const problem = $(`${id}-problem`);
    const control = $(id);
    if (problem) {
      problem.textContent = words;
      problem.hidden = false;
    }
    if (control) control.setAttribute("aria-invalid", "true");
  }

  function clearProblems(form) {
    for (const problem of form.querySelectorAll(".error")) {
      problem.textContent = "";
      problem.hidden = true;
    }
    for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  }

  function focusFirstProblem(form) {
    const first = form.querySelector("[aria-invalid='true']");
    if (first) first.focus();
  }

  // --- the form ----------------------------------------------------------------------------------------

  function chosenFieldset() {
    const category = $("category").value;
    return category ? $(`category-${category}`) : null;
  }

  function showCategory() {
    const chosen = chosenFieldset();
    for (const fieldset of document.querySelectorAll(".category-fields")) {
      const shown = fieldset === chosen;
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    }
  }

  function fieldValue(control) {
    const kind = control.dataset.kind;
    if (kind === "multiple_choice") {
      return [...control.querySelectorAll("input:checked")].map((box) => box.value);
    }
    if (kind === "checkbox") return control.checked;
    const value = control.value.trim();
    if (kind === "number" && value !== "") return Number(value);
    return value;
  }

  function collect() {
    const fields = {};
    const chosen = chosenFieldset();
    if (chosen) {
      for (const control of chosen.querySelectorAll("[data-key]")) {
        const value = fieldValue(control);
        if (value !== "" && !(Array.isArray(value) && value.length === 0)) fields[control.dataset.key] = value;
      }
    }
    const areas = [...document.querySelectorAll("input[name='product_areas']:checked")].map((box) => box.value);
    const cc = $("cc")
      .value.split(/[,;\s]+/)
      .map((address) => address.trim())
      .filter(Boolean);
    return {
      title: $("title").value.trim(),
      description: $("description").value,
      category_id: $("category").value || null,
      fields,
      product_areas: areas,
      cc,
      impact: $("impact").value,
      urgency: $("urgency").value,
      draft: draftId,
    };
  }

  function controlFor(name) {
    const chosen = chosenFieldset();
    const field = chosen?.querySelector(`[data-key="${CSS.escape(name)}"]`);
    if (field) return field.id;
    const top = name.split(".")[0];
    if (top === "attachments") return "files";
    return ["title", "description", "cc", "product_areas", "impact", "urgency"].includes(top) ? top : null;
  }

  function showProblems(form, details) {
    let general = false;
    for (const detail of details) {
      const id = controlFor(String(detail.field || ""));
      if (id) {
        say(id, detail.problem === "Required" ? T.error_required : detail.problem);
      } else {
        general = true;
      }
    }
    const error = $("form-error");
    error.textContent = T.error_fields;
    error.hidden = !general && details.length > 0;
    focusFirstProblem(form);
  }

  async function submitTicket(form, button) {
    clearProblems(form);
    const body = collect();
    const missing = [];
    if (!body.title) missing.push({ field: "title", problem: "Required" });
    if (!body.description.trim()) missing.push({ field: "description", problem: "Required" });
    if (missing.length) {
      showProblems(form, missing);
      return;
    }
    button.disabled = true;
    try {
      body.attachments = await upload($("files"), $("form-status"));
      $("form-status").textContent = T.status_submitting;
      const { status, answer } = await post(data.api.submit, body);
      if (status === 201) {
        toTicket(answer.number, "received");
        return; // disabled while the receipt loads: a second click would send the ticket again
      }
      $("form-status").textContent = "";
      if (Array.isArray(answer.details) && (status === 400 || status === 422)) {
        showProblems(form, answer.details);
      } else {
        $("form-error").textContent = answer.message || T.error_generic;
        $("form-error").hidden = false;
      }
    } catch (error) {
      $("form-status").textContent = "";
      if (error instanceof UploadProblem) {
        say(error.control, error.message);
        focusFirstProblem(form);
      } else {
        $("form-error").textContent = T.error_network;
        $("form-error").hidden = false;
      }
    }
    button.disabled = false;
  }

  function announceDrafts() {
    let timer = null;
    const announce = () => {
      const detail = { title: $("title").value, description: $("description").value };
      document.dispatchEvent(new CustomEvent("deskless:ticket-draft", { detail }));
    };
    for (const id of ["title", "description"]) {
      $(id).addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(announce, DRAFT_DELAY_MS);
      });
    }
  }

  // --- articles that may help, while the ticket is typed -----------------------------------------

  function newDraftId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 4122 variant
    const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // A title or snippet from the API (escaped text, matches in <mark>), parsed inertly (DOMParser
  // runs nothing): only its text and its marks are kept, as new nodes.
  function markedNodes(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html").body;
    return [...parsed.childNodes].map((node) => {
      if (node.nodeName !== "MARK") return document.createTextNode(node.textContent);
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      return mark;
    });
  }

  function counted(count) {
    if (count === 0) return "";
    const words = count === 1 ? T.suggestions_one : count < 5 ? T.suggestions_few : T.suggestions_many;
    return fill(words, { count });
  }

  function suggestion(article) {
    const link = document.createElement("a");
    link.href = article.url;
    link.dataset.article = article.id;
    if (article.language !== data.lang) {
      link.lang = article.language;
      link.hreflang = article.language;
    }
    link.append(...markedNodes(article.title_html));
    const snippet = document.createElement("p");
    snippet.className = "snippet";
    snippet.append(...markedNodes(article.snippet_html));
    const item = document.createElement("li");
    item.append(link, snippet);
    return item;
  }

  function startArticleDialog() {
    const dialog = $("article-dialog");
    const body = $("article-dialog-body");
    let opener = null;
    $("article-dialog-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      opener?.focus();
      opener = null;
    });

    function tell(...nodes) {
      const words = document.createElement("p");
      words.id = "article-dialog-title";
      words.append(...nodes);
      body.replaceChildren(words);
    }

    return async function open(link) {
      opener = link;
      tell(T.article_loading);
      dialog.showModal();
      post(data.api.opened, { draft: draftId, article_id: link.dataset.article }).catch(() => {});
      try {
        const response = await fetch(link.href, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const article = page.getElementById("article");
        if (!article) throw new Error("no article on the page");
        if (opener !== link) return; // closed, or another one opened, meanwhile
        const shown = document.importNode(article, true);
        shown.removeAttribute("id");
        for (const extra of shown.querySelectorAll("script, style, iframe, object, embed, form")) extra.remove();
        for (const away of shown.querySelectorAll("a[href]")) {
          away.target = "_blank"; // a link in the article must not take the form away
          away.rel = "noopener";
        }
        shown.querySelector("h1")?.setAttribute("id", "article-dialog-title");
        body.replaceChildren(shown);
      } catch {
        if (opener !== link) return;
        const away = document.createElement("a");
        away.href = link.href;
        away.target = "_blank";
        away.rel = "noopener";
        away.textContent = T.article_new_tab;
        tell(`${T.article_failed} `, away);
      }
    };
  }

  function startSuggestions() {
    const aside = $("ticket-suggestions");
    const list = $("suggestions-list");
    const count = $("suggestions-count");
    const open = startArticleDialog();
    let latest = 0;
    let pending = null;
    let shownBefore = false;

    function show(articles) {
      list.replaceChildren(...articles.map(suggestion));
      aside.hidden = articles.length === 0;
      const words = articles.length || shownBefore ? counted(articles.length) || T.suggestions_none : "";
      if (count.textContent !== words) count.textContent = words; // said again only when it changed
      shownBefore ||= articles.length > 0;
    }

    async function ask({ title, description }) {
      const asked = ++latest;
      pending?.abort();
      pending = null;
      if (!title.trim() && !description.trim()) {
        show([]);
        return;
      }
      const controller = new AbortController();
      pending = controller;
      try {
        const response = await fetch(data.api.suggestions, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json", "x-csrf-token": data.csrf },
          body: JSON.stringify({ title, description, draft: draftId, language: data.lang }),
          signal: controller.signal,
        });
        if (!response.ok) return; // too many, or refused: the form works without suggestions
        const answer = await response.json();
        if (asked === latest) show(answer.articles);
      } catch {
        // a newer question replaced it, or the network is away: nothing to show
      }
    }

    document.addEventListener("deskless:ticket-draft", (event) => ask(event.detail));
    list.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-article]");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault(); // opened in place: the form stays as typed
      open(link);
    });
  }

  function startForm(form) {
    draftId = newDraftId();
    $("category").addEventListener("change", showCategory);
    showCategory();
    startSuggestions();
    announceDrafts();
    const button = $("submit-ticket");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitTicket(form, button);
    });
  }

  // --- a ticket ----------------------------------------------------------------------------------------

  function actionFailed(words) {
    const error = $("action-error");
    error.textContent = words;
    error.hidden = false;
  }

  async function act(path, makeBody, done, button) {
    button.disabled = true;
    try {
      const { status, answer } = await post(ticketPath(path, data.number), await makeBody());
      if (status === 200 || status === 201) {
        toTicket(data.number, done);
        return; // disabled while the page loads again: a second click would send it again
      }
      actionFailed(answer.message || T.error_generic);
    } catch (error) {
      if (error instanceof UploadProblem) {
        say(error.control, error.message);
        $(error.control).focus();
      } else {
        actionFailed(T.error_network);
      }
    }
    button.disabled = false;
  }

  function startTicket() {
    const reply = $("reply-form");
    reply?.addEventListener("submit", (event) => {
      event.preventDefault();
      clearProblems(reply);
      const body = $("reply").value;
      if (!body.trim()) {
        say("reply", T.error_required);
        focusFirstProblem(reply);
        return;
      }
      const withFiles = async () => ({ body, attachments: await upload($("reply-files"), $("reply-status")) });
      act(data.api.reply, withFiles, "replied", $("send-reply"));
    });
    const close = $("close-form");
    close?.addEventListener("submit", (event) => {
      event.preventDefault();
      act(data.api.close, async () => ({}), "closed", $("close-ticket"));
    });
  }

  localTimes();
  // a page the browser kept (back/forward cache) comes back as it was left: its buttons usable again
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const id of ["submit-ticket", "send-reply", "close-ticket"]) if ($(id)) $(id).disabled = false;
  });
  const form = $("ticket-form");
  if (form) startForm(form);
  if (data.number) startTicket();
})();
