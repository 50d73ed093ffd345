import type { Metadata } from "next";
import { ShieldCheck } from "lucide-react";
import { ComingSoon } from "@/components/shell/coming-soon";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";

export const metadata: Metadata = { title: "Governance" };

export default async function GovernancePage() {
  const actor = await requireActor();
  if (!can(actor, "governance.read")) return <NoAccess permission="governance.read" />;
  return (
    <ComingSoon
      title="Governance"
      description="Policy as code, evaluated before anything reaches a cluster, and compliance leadership can trust."
      icon={ShieldCheck}
      items={[
        { title: "Policies as code", text: "CEL policies in the shape of Kubernetes ValidatingAdmissionPolicy, over manifests, promotions, template instantiations and Terraform plans." },
        { title: "Tested policies", text: "Allowed and denied fixtures for every policy, run in CI, and exportable as admission policies for the cluster." },
        { title: "Exceptions with expiry", text: "Waivers naming a policy, a target, a reason and an approver, that stop applying the second they expire." },
        { title: "Compliance", text: "Scheduled evaluation of everything in scope: compliance overall, per team, per policy and per environment, with its trend." },
      ]}
    />
  );
}
