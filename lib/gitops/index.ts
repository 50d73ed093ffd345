// GitOps: environments and their delivery settings, and creating the GitOps repository from the
// gitops-app template (promotions, runs, deployments and drift are lib/delivery).
export {
  EnvironmentDto,
  IntegrationCheck,
  integrationCheckOf,
  listEnvironments,
  listEnvironmentsContract,
  patchEnvironment,
  patchEnvironmentContract,
  PatchEnvironmentBody,
  gitopsContracts,
} from "./environments.ts";
export {
  CreateGitOpsRepositoryBody,
  GitOpsRepositoryDto,
  GitOpsRepositoryPlanDto,
  createGitOpsRepository,
  createGitOpsRepositoryContract,
  createGitOpsRepositoryJob,
  getGitOpsRepository,
  getGitOpsRepositoryContract,
  planGitOpsRepository,
  requestGitOpsRepository,
} from "./create-repository.ts";
