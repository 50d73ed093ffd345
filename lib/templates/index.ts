// The template catalog: versioned, tested pipeline templates that teams instantiate into repositories.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { listTemplates, getTemplate, catalogFacets, toVersionSummary } from "./catalog.ts";
export { previewTemplate, requestInstantiation, listInstances, getInstanceOrThrow, setVersionLifecycle, requestUpgrade, requestBulkUpgrade, requestAdoptionScan, getAdoption } from "./request.ts";
export { syncCatalog, type SyncReport } from "./sync.ts";
export { loadCatalog, loadBundle } from "./bundle.ts";
export { templateJobs } from "./jobs.ts";
