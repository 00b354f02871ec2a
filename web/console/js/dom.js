// Small DOM helpers shared by every view: building elements, labelled fields, notices, times,
// copying. No framework: the console is plain ES modules the browser loads as they are.
// Errors are shown with errors.js; lists are drawn with keyed-list.js.

let sequence = 0;

/** A fresh id for pairing a <label> with its control. */
export function uid(prefix = "f") {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

/**
 * h("button", {class: "primary", type: "button", on: {click: fn}}, "Save")
 * props: class, text, on (event -> handler), dataset (object), and anything else: properties
 * the element has (value, checked, disabled, hidden, id, type, ...) are set as properties,
 * the rest (aria-*, role, for, ...) as attributes. false/null/undefined props are skipped.
 * Children: nodes, strings, numbers, arrays of those; null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("aria-") || key === "role" || key === "for" || !(key in node))
      node.setAttribute(key, value === true ? "" : value);
    else node[key] = value;
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

/** Empty a node, then add the children. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A labelled form field: the label names the control (for/id), a hint is linked by aria-describedby. */
export function field(label, control, hint = "") {
  control.id ||= uid("field");
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hintId = uid("hint");
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: "field" }, parts);
}

/** Put `node` in the notices region (beside the navigation, where it covers no control) for `ms`. */
export function notice(node, ms) {
  const region = document.getElementById("toasts");
  if (!region) return;
  region.append(node);
  setTimeout(() => node.remove(), ms);
}

/** A short word that something was done ("Join URL copied."), kind "info" or "ok": a notice for 4 s. */
export function toast(message, kind = "info") {
  notice(h("p", { class: ["toast", kind] }, message), 4000);
}

/** "14:05" for a time in epoch milliseconds, in the browser's locale. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** "14 Nov, 14:05" for epoch milliseconds. */
export function dateTime(ms) {
  return new Date(ms).toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** "4:07" (or "1:02:03") for a number of seconds; never negative. */
export function countdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** Copy text to the clipboard; true when it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { value: text, readOnly: true, class: "offscreen", "aria-hidden": "true" });
    document.body.append(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done;
  }
}

// --- languages customer pages speak (ctx.config.languages) ---------------------------------

const LANGUAGE_NAMES = { en: "English", es: "Español", de: "Deutsch", cs: "Čeština" };

/** "Español" for "es"; the code itself for a language this console has no name for. */
export function languageName(code) {
  return LANGUAGE_NAMES[code] || code;
}

/** A <select> of the languages customer pages speak (ctx.config.languages), `value` chosen. */
export function languageSelect(languages, value, props = {}) {
  const chosen = languages.includes(value) ? value : languages[0];
  return h(
    "select",
    props,
    languages.map((code) => h("option", { value: code, selected: code === chosen }, languageName(code))),
  );
}

// --- search hits: the API's highlighted HTML (escaped text, matches in <mark>) ----------------

/**
 * Nodes for a highlighted text from the API (a search hit's title or snippet: escaped text with
 * the matching words in <mark>). Only text and <mark> are kept: any other markup becomes its text,
 * so nothing the API passes on from an article can add an element, an attribute or a script.
 */
export function highlighted(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  return [...parsed.childNodes].map((node) =>
    node.nodeName === "MARK" ? h("mark", {}, node.textContent) : document.createTextNode(node.textContent),
  );
}
