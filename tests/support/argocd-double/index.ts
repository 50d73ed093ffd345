// An Argo CD double that follows Argo CD's published Swagger in strict mode; see server.ts.
export {
  ArgoCdDouble,
  commitSha,
  startArgoCdDouble,
  type ArgoCdDoubleOptions,
  type Fault,
  type RecordedAction,
  type RecordedCall,
} from "./server.ts";
export type { ApplicationSeed, Outcome } from "./objects.ts";
export { argocdSpec, ArgocdSpec } from "./spec.ts";
