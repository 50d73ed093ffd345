import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import { ListServicesQuery, ServiceDto } from "./schemas.ts";

export const listServicesContract = defineContract({
  method: "GET",
  path: "/api/v1/services",
  tag: "Services",
  summary: "List services with their owners and dependencies",
  access: "services.read",
  query: ListServicesQuery,
  response: z.object({ items: z.array(ServiceDto) }),
});

export const servicesContracts = [listServicesContract];
