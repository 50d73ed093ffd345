// Paved's own subjects, shaped as Kubernetes-style objects so one policy format covers them all:
// a template instantiation, a promotion, and a Terraform plan (`terraform show -json` output).
import type { Subject } from "./format.ts";

export function templateInstantiationSubject(i: {
  template: string;
  version: string;
  lifecycle: string;
  templateType: string;
  team: string;
  repo: string;
  requester: string;
  createRepo: boolean;
}): Subject {
  return {
    apiVersion: "paved.dev/v1",
    kind: "TemplateInstantiation",
    metadata: { name: `${i.template}@${i.version}`, labels: { team: i.team } },
    spec: {
      template: i.template,
      version: i.version,
      lifecycle: i.lifecycle,
      type: i.templateType,
      team: i.team,
      repo: i.repo,
      requester: i.requester,
      createRepo: i.createRepo,
    },
  };
}

export interface PromotionSubjectInput {
  id: string;
  services: { name: string; version: string; team: string }[];
  from: string;
  to: string;
  toProtected: boolean;
  requester: string;
  approvals: { login: string; roles: string[] }[];
  sourceHealthy: boolean;
  /** Fraction of the error budget left (0–1), per service, when SLOs exist. */
  errorBudgetRemaining: Record<string, number>;
  override: { reason: string; by: string } | null;
  time: Date;
}

export function promotionSubject(p: PromotionSubjectInput): Subject {
  return {
    apiVersion: "paved.dev/v1",
    kind: "Promotion",
    metadata: { name: p.id },
    spec: {
      services: p.services,
      from: p.from,
      to: p.to,
      toProtected: p.toProtected,
      requester: p.requester,
      approvals: p.approvals,
      sourceHealthy: p.sourceHealthy,
      errorBudgetRemaining: p.errorBudgetRemaining,
      override: p.override,
      time: p.time.toISOString(),
    },
  };
}

export function terraformPlanSubject(name: string, plan: Record<string, unknown>): Subject {
  return { ...plan, apiVersion: "terraform.paved.dev/v1", kind: "TerraformPlan", metadata: { name } };
}
