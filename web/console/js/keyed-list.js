// The one way the console draws a list that changes while the operator works in it (the desk's
// queue and chats, session codes, invitations, recent chats, the admin's tables).
//
// Each item is drawn from its thing (plain data: what the item shows) by `item(thing)`.
// Drawing the list again keeps the node of every thing that did not change, so the focus, an
// open <select> or a countdown being read stay where they are; an item whose thing changed is
// drawn afresh, and a focus inside it moves to the same control (by its data-action) in the new
// one. The items' controls are handled by delegation: one listener per event type on the list's
// root calls on[type][control.dataset.action](thing, control, event).

import { Latest } from "./api.js";
import { h } from "./dom.js";
import { busy, ErrorMessage } from "./errors.js";

/**
 * A small button in an item: `text` shows, `name` tells a screen reader which item it acts on,
 * `action` names it for the list's delegated handlers (`on`, below).
 */
export function rowButton(text, name, action, kind = "") {
  return h("button", { type: "button", class: ["small", kind], "aria-label": name, dataset: { action } }, text);
}

export class KeyedList {
  /**
   * root: the element the items live in (a <ul>, a <tbody>);
   * key(thing): what names a thing from one draw to the next; item(thing): its node;
   * on: {click: {accept: (thing, control, event) => ...}, change: {...}}.
   */
  constructor(root, { key, item, on = {} }) {
    this.root = root;
    this.key = (thing) => String(key(thing));
    this.item = item;
    this.entries = new Map(); // key -> {thing, shape, node}
    for (const [type, handlers] of Object.entries(on)) {
      root.addEventListener(type, (event) => this.handle(event, handlers));
    }
  }

  /** Draw `things`, in this order. */
  render(things) {
    const wanted = new Map(things.map((thing) => [this.key(thing), thing]));
    for (const [key, entry] of this.entries) {
      if (wanted.has(key)) continue;
      entry.node.remove();
      this.entries.delete(key);
    }
    [...wanted].forEach(([key, thing], index) => {
      const shape = JSON.stringify(thing);
      let entry = this.entries.get(key);
      if (entry?.shape !== shape) {
        entry = this.draw(key, thing, shape, entry);
        this.entries.set(key, entry);
      }
      const there = this.root.children[index] || null;
      if (there === entry.node) return;
      // moveBefore (where the browser has it) keeps the focus in a node that moves
      if (entry.node.isConnected && this.root.moveBefore) this.root.moveBefore(entry.node, there);
      else this.root.insertBefore(entry.node, there);
    });
  }

  /** The node drawn for the thing of `key`, if it is listed. */
  node(key) {
    return this.entries.get(String(key))?.node;
  }

  draw(key, thing, shape, before) {
    const node = this.item(thing);
    node.dataset.key = key;
    if (before) {
      const focused = before.node.contains(document.activeElement) ? document.activeElement.dataset.action : "";
      before.node.replaceWith(node);
      if (focused) node.querySelector(`[data-action="${CSS.escape(focused)}"]`)?.focus();
    }
    return { thing, shape, node };
  }

  handle(event, handlers) {
    const control = event.target.closest("[data-action]");
    const node = control?.closest("[data-key]");
    const entry = node && this.entries.get(node.dataset.key);
    if (entry?.node === node) handlers[control.dataset.action]?.(entry.thing, control, event);
  }
}

/**
 * A table drawn by a KeyedList, with what a list needs around it: "Loading…" until it is first
 * drawn, `empty` words while it has no rows, and an ErrorMessage (`problem`) for what goes wrong
 * loading it or acting on a row. Place `node`.
 */
export class KeyedTable {
  /** caption: the table's name; columns: the headers; key, item, on: as KeyedList's. */
  constructor({ caption, columns, empty, className = "", key, item, on }) {
    const rows = h("tbody");
    this.list = new KeyedList(rows, { key, item, on });
    this.problem = new ErrorMessage();
    this.pending = 0; // loads running
    this.loads = new Latest(); // only the latest load's answer is drawn
    this.loading = h("p", { class: "muted" }, "Loading…");
    this.empty = h("p", { class: "empty", hidden: true }, empty);
    this.table = h(
      "table",
      { class: className, hidden: true },
      h("caption", { class: "offscreen" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          columns.map((title) => h("th", { scope: "col" }, title)),
        ),
      ),
      rows,
    );
    this.node = h(
      "div",
      {},
      this.problem.node,
      this.loading,
      this.empty,
      h("div", { class: "table-scroll" }, this.table),
    );
  }

  render(things) {
    this.list.render(things);
    this.loading.hidden = true;
    this.table.hidden = !things.length;
    this.empty.hidden = things.length > 0;
  }

  /**
   * Draw what `read()` gives; if it fails, say so. The table is aria-busy while any load runs.
   * Only the latest load asked for is drawn (see Latest); `read` gets its `latest()`, to keep
   * what else it learns (a next page) only then.
   */
  async load(read, about = "") {
    const latest = this.loads.next();
    this.pending += 1;
    this.table.setAttribute("aria-busy", "true");
    try {
      const things = await read(latest);
      if (latest()) {
        this.render(things);
        this.problem.clear();
      }
    } catch (error) {
      if (latest()) this.fail(error, about);
    } finally {
      this.pending -= 1;
      if (!this.pending) this.table.removeAttribute("aria-busy");
    }
  }

  /** Say that loading failed, after `about` ("The codes could not be loaded"); what was drawn before stays. */
  fail(error, about = "") {
    this.loading.hidden = true;
    this.problem.show(error, about);
  }

  /** The row drawn for the thing of `key`, if it is listed. */
  row(key) {
    return this.list.node(key);
  }
}

/**
 * A KeyedTable whose rows come in pages. `loadPages(filters, page)` draws the first, where
 * `page(query)` reads one as {things, next} for `query`: the filters (an object, as they were when
 * the load started) and, past the first page, the API's cursor as `after`. `more` ("Show more",
 * placed under the table) shows while there is a next page and adds it, unless another load has
 * started since (then it belongs to a list no longer asked for). `shown` is what is drawn.
 */
export class PagedTable extends KeyedTable {
  constructor(options) {
    super(options);
    this.shown = [];
    this.paging = null; // {read, next, latest} of the load drawn
    this.more = h("button", { type: "button", hidden: true }, "Show more");
    this.more.addEventListener("click", () => busy(this.more, this.problem, () => this.showMore()));
  }

  loadPages(filters, page, about = "") {
    const read = (after) => page(new URLSearchParams(after ? { ...filters, after } : filters));
    return this.load(async (latest) => {
      const first = await read(null);
      if (latest()) {
        this.paging = { read, next: first.next, latest };
        this.shown = first.things;
        this.more.hidden = !first.next;
      }
      return first.things;
    }, about);
  }

  async showMore() {
    const paging = this.paging;
    const found = await paging.read(paging.next);
    if (!paging.latest()) return;
    paging.next = found.next;
    this.more.hidden = !found.next;
    this.shown = [...this.shown, ...found.things];
    this.render(this.shown);
  }
}
