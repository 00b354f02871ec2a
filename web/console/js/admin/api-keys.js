// API keys: what integrations present (header x-api-key) to create reusable invitation links.
// A new key is shown once, here; the list never shows a secret; a revoked key stays listed.

import { confirmAction } from "../dialogs.js";
import { dateTime, h, replace, toast } from "../dom.js";
import { KeyedTable } from "../keyed-list.js";
import { copyBlock, Form, viewHead } from "./ui.js";

function issuedPanel(issued, onDone) {
  const done = h("button", { type: "button", class: "primary", on: { click: onDone } }, "I have stored it");
  return h(
    "section",
    { class: "card issued-key", "aria-labelledby": "issued-key-title" },
    h("h2", { id: "issued-key-title" }, `New key: ${issued.name}`),
    h(
      "p",
      { class: "notice", role: "alert" },
      "This is the only time the key is shown: copy it now and keep it somewhere safe. If it is lost, revoke it and create another.",
    ),
    copyBlock("API key", issued.key),
    h("div", { class: "actions" }, done),
  );
}

function createForm(ctx, onIssued) {
  const form = new Form({ "aria-labelledby": "new-key-title" });
  const name = h("input", { name: "name", required: true, maxLength: 80, autocomplete: "off" });
  form.element.append(
    h("h2", { id: "new-key-title" }, "Create an API key"),
    h(
      "div",
      { class: "narrow" },
      form.field("name", "Name", name, "What the key is for, such as the integration that will use it."),
    ),
    form.problem.node,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create key")),
  );
  form.onSubmit(async () => {
    const issued = await ctx.api.post("/api/api-keys", { name: name.value });
    form.element.reset();
    await onIssued(issued);
  });
  return h("section", { class: "card" }, form.element);
}

async function revoke(ctx, key, problem, reload) {
  const message = `Revoke the key "${key.name}"? Integrations using it stop working at once.`;
  if (!(await confirmAction({ message, confirm: "Revoke" }))) return;
  problem.clear();
  try {
    await ctx.api.del(`/api/api-keys/${encodeURIComponent(key.id)}`);
    toast(`The key "${key.name}" is revoked.`, "ok");
    await reload();
  } catch (error) {
    problem.show(error);
  }
}

function keyRow(key) {
  return h(
    "tr",
    {},
    h("td", {}, key.name),
    h("td", {}, dateTime(key.created_at * 1000), h("small", { class: "muted" }, ` by ${key.created_by_name}`)),
    h("td", {}, key.last_used_at ? dateTime(key.last_used_at * 1000) : h("span", { class: "muted" }, "never")),
    h(
      "td",
      {},
      key.revoked
        ? h(
            "span",
            { class: "badge danger" },
            key.revoked_at ? `Revoked ${dateTime(key.revoked_at * 1000)}` : "Revoked",
          )
        : h("span", { class: "badge ok" }, "Active"),
    ),
    h(
      "td",
      { class: "row-actions" },
      key.revoked
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "small danger",
              "aria-label": `Revoke ${key.name}`,
              dataset: { action: "revoke" },
            },
            "Revoke",
          ),
    ),
  );
}

export const apiKeysView = {
  id: "api-keys",
  title: "API keys",
  group: "Administration",
  roles: ["admin"],
  mount(root, ctx) {
    const issued = h("div");
    const list = new KeyedTable({
      caption: "API keys",
      columns: ["Name", "Created", "Last used", "State", ""],
      className: "keys-table",
      empty: "No API keys yet.",
      key: (key) => key.id,
      item: keyRow,
      on: { click: { revoke: (key) => revoke(ctx, key, list.problem, reload) } },
    });
    const reload = () => list.load(() => ctx.api.get("/api/api-keys"));
    const showIssued = async (key) => {
      replace(
        issued,
        issuedPanel(key, () => issued.replaceChildren()),
      );
      issued.querySelector("button")?.focus();
      await reload();
    };
    replace(
      root,
      viewHead("API keys", "Integrations present a key in the x-api-key header to create reusable invitation links."),
      issued,
      createForm(ctx, showIssued),
      h(
        "section",
        { class: "card", "aria-labelledby": "keys-title" },
        h("h2", { id: "keys-title" }, "Keys"),
        list.node,
      ),
    );
    reload();
  },
};
