// GitOps delivery: environments (promotions, deployments and drift come with the delivery issue).
export { EnvironmentDto, listEnvironments, listEnvironmentsContract, patchEnvironment, patchEnvironmentContract, PatchEnvironmentBody, gitopsContracts } from "./environments.ts";
