// Services and their dependency graph.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { listServices } from "./list.ts";
