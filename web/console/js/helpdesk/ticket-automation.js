// What the automation rules did with a ticket, in words: the collapsible "Automation" section of a
// ticket's page (GET /api/tickets/{number}/automation: one trace per change, newest first), and
// the evaluation drawn the same way for an admin's "Test against a ticket" (admin/rule-editor.js).
// An evaluation is {change_id, at, triggers, rules: [{name, outcome, detail, conditions, actions}]};
// each condition held or not, each action done, skipped, failed or (in a test) what would run,
// with the reason the engine or the runtime gave.

import { dateTime, h } from "../dom.js";
import { ErrorMessage } from "../errors.js";
import { KeyedList } from "../keyed-list.js";
import { actionName, humanized, triggerName } from "./automation-words.js";

const NOTICES = ["ticket.changed", "ticket.reply", "ticket.automation"];
const TRACE_WAIT_MS = 3000;
const PAGE = 50; // the API answers this many traces at most; older ones are asked `before` the last

const RULE_OUTCOMES = {
  matched: { label: "Held", badge: "ok" },
  not_matched: { label: "Did not hold", badge: "" },
  stopped: { label: "Not evaluated", badge: "warn" },
};

const ACTION_OUTCOMES = {
  planned: { label: "Planned", badge: "info" },
  done: { label: "Done", badge: "ok" },
  skipped: { label: "Skipped", badge: "warn" },
  failed: { label: "Failed", badge: "danger" },
  dry_run: { label: "Would run", badge: "info" },
};

const REASONS = {
  conflict: "an earlier rule set the same thing",
  stopped: "an earlier rule stopped further processing",
  cap: "the automatic-mail cap was reached",
  no_recipient: "there was nobody to send it to",
  error: "it failed",
  invalid: "it is not valid for this ticket",
};

function badge(outcomes, outcome) {
  const known = outcomes[outcome] || { label: humanized(outcome), badge: "" };
  return h("span", { class: ["badge", known.badge] }, known.label);
}

function conditionName(condition) {
  const number = condition.index + 1;
  return condition.group === null || condition.group === undefined
    ? `Condition ${number}`
    : `Any-of group ${condition.group + 1}, condition ${number}`;
}

function conditionItem(condition) {
  return h(
    "li",
    { class: ["evaluation-step", condition.held ? "held" : "not-held"] },
    h("span", { class: "step-mark", "aria-hidden": "true" }, condition.held ? "✓" : "✗"),
    `${conditionName(condition)}: ${condition.held ? "held" : "did not hold"}`,
    condition.detail ? h("span", { class: "muted" }, ` (${condition.detail})`) : null,
  );
}

function actionItem(action) {
  const reason = action.reason ? REASONS[action.reason] || humanized(action.reason) : "";
  const why = [reason, action.detail].filter(Boolean).join(": ");
  return h(
    "li",
    { class: "evaluation-step" },
    `Action ${action.index + 1}, ${actionName(action.kind)}: `,
    badge(ACTION_OUTCOMES, action.outcome),
    why ? h("span", { class: "muted" }, ` ${why}`) : null,
  );
}

function ruleItem(rule) {
  return h(
    "li",
    { class: "evaluation-rule" },
    h("p", { class: "rule-line" }, h("strong", {}, rule.name), " ", badge(RULE_OUTCOMES, rule.outcome)),
    rule.detail ? h("p", { class: "muted" }, rule.detail) : null,
    rule.conditions?.length
      ? h(
          "ul",
          { class: "evaluation-steps", "aria-label": `Conditions of ${rule.name}` },
          rule.conditions.map(conditionItem),
        )
      : null,
    rule.actions?.length
      ? h("ul", { class: "evaluation-steps", "aria-label": `Actions of ${rule.name}` }, rule.actions.map(actionItem))
      : null,
  );
}

/** The triggers of a change in words: "New ticket created, Ticket updated". */
export function triggersWords(triggers) {
  return triggers?.length ? triggers.map(triggerName).join(", ") : "no trigger";
}

/** An evaluation drawn as a list of the rules evaluated, with their conditions and actions. */
export function evaluationNode(evaluation) {
  if (!evaluation.rules?.length)
    return h("p", { class: "muted" }, "No active rule has this trigger: nothing was evaluated.");
  return h("ol", { class: "evaluation" }, evaluation.rules.map(ruleItem));
}

function traceItem(trace) {
  const held = trace.rules.filter((rule) => rule.outcome === "matched").length;
  return h(
    "li",
    { class: "trace" },
    h(
      "details",
      {},
      h(
        "summary",
        {},
        h("time", { dateTime: new Date(trace.at).toISOString() }, dateTime(trace.at)),
        ` · ${triggersWords(trace.triggers)} · `,
        `${trace.rules.length} ${trace.rules.length === 1 ? "rule" : "rules"} evaluated, ${held} held`,
      ),
      evaluationNode(trace),
    ),
  );
}

/**
 * The "Automation" section of a ticket's page: closed at first; opened, it reads the ticket's
 * traces, and reads them again when the ticket is told changed while it is open. Listens as long
 * as `signal` (the page's) is not aborted.
 */
export function automationSection(ctx, number, signal) {
  const problem = new ErrorMessage();
  const status = h("p", { class: "muted", role: "status" }, "Loading…");
  const list = h("ol", { class: "traces", "aria-label": "Automation traces, newest first" });
  const section = h(
    "details",
    { class: "card ticket-automation" },
    h("summary", {}, h("h2", {}, "Automation")),
    h("p", { class: "muted" }, "What the automation rules did with each change of this ticket, newest first."),
    problem.node,
    status,
    list,
  );
  const older = h("button", { type: "button", class: "small", hidden: true }, "Show older");
  section.append(older);
  // a trace drawn stays as it is (opened or not) when the list is read again
  const traces = new KeyedList(list, { key: (trace) => `${trace.at}#${trace.change_id}`, item: traceItem });
  let shown = []; // the traces on screen, newest first
  let reading = null;

  /** Read the newest traces, or (`before` a time) the older ones after those shown. */
  async function read(before = null) {
    try {
      const query = before ? `?${new URLSearchParams({ before })}` : "";
      const page = await ctx.api.get(`/api/tickets/${number}/automation${query}`);
      shown = before ? [...shown, ...page] : page;
      traces.render(shown);
      older.hidden = page.length < PAGE;
      status.textContent = shown.length ? "" : "No rule has run for this ticket yet.";
      status.hidden = shown.length > 0;
      problem.clear();
    } catch (error) {
      status.hidden = true;
      problem.show(error, "The automation traces could not be loaded");
    }
  }

  function again() {
    if (!section.open) return;
    reading = (reading || Promise.resolve()).then(() => read());
  }

  older.addEventListener("click", async () => {
    older.disabled = true;
    await read(shown.at(-1)?.at);
    older.disabled = false;
  });
  section.addEventListener("toggle", again);
  // a change's trace is written after its actions, which may themselves be told first: read at
  // once, and once more a little later
  let later = 0;
  const told = ({ detail }) => {
    if ((detail.ticket?.number ?? detail.number) !== number) return;
    again();
    clearTimeout(later);
    later = setTimeout(again, TRACE_WAIT_MS);
  };
  signal.addEventListener("abort", () => clearTimeout(later));
  for (const type of NOTICES) ctx.socket.addEventListener(type, told, { signal });
  return section;
}
