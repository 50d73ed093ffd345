// An SLO's status from the numbers the metrics source answers, as one pure function: the SLI,
// the error budget left (as a share, and in requests for event-based budgets or in minutes for
// time-based ones), the burn rate per window, whether the burn-rate alerts' conditions hold, and
// a risk level and score to sort SLOs by.
//
// Definitions (the dashboards show them as "how this is computed"):
// - error ratio over a window = bad events / all events (what the recording rules record);
// - budget = 1 − objective (99.9 % → 0.1 % of events may fail);
// - burn rate = error ratio / budget (1 spends the budget exactly over the SLO window);
// - budget consumed = error ratio over the SLO window / budget; left = 1 − consumed;
// - in requests: budget = all events in the window × budget ratio, left = that − bad events;
// - in minutes (time-based): budget = window minutes × budget ratio, left = that × share left.
import { burnRateRules, errorBudget, tidy, WINDOW_HOURS } from "./rules.ts";
import type { RuleWindow, SloStatus, SloWindow } from "./schemas.ts";
import { RULE_WINDOWS } from "./schemas.ts";

export interface SloStatusInput {
  /** Objective in percent (99.9). */
  objective: number;
  window: SloWindow;
  /** Error ratio (bad / total, 0–1) per window, as recorded; absent or null: no data. */
  errorRatios: Partial<Record<RuleWindow | SloWindow, number | null>>;
  /** All events over the SLO window, for a budget in requests; null or absent when unknown. */
  totalEvents?: number | null;
  /** `events` (default): the budget counts requests. `time`: it counts minutes. */
  budgeting?: "events" | "time";
}

const valid = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);
const round = (n: number, digits = 6) => Number.parseFloat(n.toFixed(digits));

export function sloStatus(input: SloStatusInput): SloStatus {
  const budget = errorBudget(input.objective);
  const windowMinutes = WINDOW_HOURS[input.window] * 60;
  const ratio = (w: RuleWindow | SloWindow) => (valid(input.errorRatios[w]) ? Math.max(0, input.errorRatios[w] as number) : null);
  const burn = (w: RuleWindow | SloWindow) => {
    const r = ratio(w);
    return r === null ? null : round(r / budget, 4);
  };

  const errorRatio = ratio(input.window);
  const consumed = errorRatio === null ? null : errorRatio / budget;
  const remainingRatio = consumed === null ? null : 1 - consumed;
  const totalEvents = valid(input.totalEvents) && input.totalEvents >= 0 ? input.totalEvents : null;
  const budgetRequests = totalEvents === null ? null : totalEvents * budget;
  const budgetMinutes = windowMinutes * budget;

  const windows = [...RULE_WINDOWS, input.window] as (RuleWindow | SloWindow)[];
  const burnRates = windows.map((w) => ({ window: w, errorRatio: ratio(w), burnRate: burn(w) }));

  const holds = (severity: "page" | "ticket") =>
    burnRateRules(input.window)
      .filter((r) => r.severity === severity)
      .some((r) => {
        const long = burn(r.long);
        const short = burn(r.short);
        return long !== null && short !== null && long > r.factor && short > r.factor;
      });
  const alerts = { page: holds("page"), ticket: holds("ticket") };

  const burn1h = burn("1h");
  const exhaustsInHours =
    remainingRatio === null || burn1h === null || burn1h <= 0 ? null : remainingRatio <= 0 ? 0 : round((remainingRatio * WINDOW_HOURS[input.window]) / burn1h, 2);

  let risk: SloStatus["risk"];
  if (remainingRatio === null) {
    risk = { level: "unknown", score: 0, reason: "No data for the SLO window yet." };
  } else if (remainingRatio <= 0) {
    risk = { level: "exhausted", score: 3 + Math.min(1, -remainingRatio), reason: "The error budget is spent." };
  } else if (alerts.page) {
    risk = { level: "critical", score: 2 + (1 - remainingRatio), reason: "The budget is burning fast enough to page." };
  } else if (alerts.ticket || remainingRatio < 0.25) {
    risk = {
      level: "warning",
      score: 1 + (1 - remainingRatio),
      reason: alerts.ticket ? "The budget is burning steadily: a ticket is due." : `Only ${round(remainingRatio * 100, 1)}% of the budget is left.`,
    };
  } else {
    risk = { level: "ok", score: 1 - remainingRatio, reason: `${round(remainingRatio * 100, 1)}% of the budget is left.` };
  }
  risk.score = round(risk.score, 4);

  return {
    sli: errorRatio === null ? null : round((1 - errorRatio) * 100, 6),
    errorRatio: errorRatio === null ? null : round(errorRatio, 9),
    budget: {
      ratio: budget,
      consumedRatio: consumed === null ? null : round(consumed, 6),
      remainingRatio: remainingRatio === null ? null : round(remainingRatio, 6),
      remainingPercent: remainingRatio === null ? null : round(remainingRatio * 100, 4),
      unit: input.budgeting === "time" ? "minutes" : "requests",
      total: { minutes: tidy(budgetMinutes), requests: budgetRequests === null ? null : round(budgetRequests, 3) },
      remaining: {
        minutes: remainingRatio === null ? null : round(budgetMinutes * remainingRatio, 3),
        requests: budgetRequests === null || errorRatio === null || totalEvents === null ? null : round(budgetRequests - totalEvents * errorRatio, 3),
      },
    },
    burnRates,
    alerts,
    exhaustsInHours,
    risk,
  };
}
