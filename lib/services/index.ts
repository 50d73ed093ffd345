// Services and their dependency graph: reading, editing with optimistic concurrency, import and
// export, and deployment planning (the pure planner is graph.ts).
export * from "./schemas.ts";
export * from "./contracts.ts";
export { listServices, listServicesJson, getService, getGraph, getGraphJson, graphRevision, loadDependencyGraph } from "./read.ts";
export { createService, patchService, deleteService, setDependencies } from "./write.ts";
export { importGraph, exportGraph } from "./import.ts";
export { planDeployment, planFor } from "./plan.ts";
