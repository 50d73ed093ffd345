// GET /api/v1/policies: the policies in force (and those that failed to load).
import { handle } from "@/lib/core/http/handler";
import { listPoliciesContract, policyCases, policySet, toPolicyDto } from "@/lib/policies";

export const GET = handle(listPoliciesContract, async () => {
  const { policies, errors } = await policySet();
  return { items: await Promise.all(policies.map(async (p) => toPolicyDto(p, await policyCases(p.name)))), errors };
});
