// HTTP contracts of the job queue.
import { z } from "zod";
import { defineContract } from "../http/contract.ts";
import { JobDto, JobsPage, JobsQuery } from "./inspect.ts";

const JobParams = z.object({ id: z.uuid("a job id") });

export const listJobsContract = defineContract({
  method: "GET",
  path: "/api/v1/jobs",
  tag: "Jobs",
  summary: "List background jobs, newest first",
  access: "jobs.read",
  query: JobsQuery,
  response: JobsPage,
});

export const retryJobContract = defineContract({
  method: "POST",
  path: "/api/v1/jobs/{id}/retry",
  tag: "Jobs",
  summary: "Retry a failed or cancelled job",
  access: "jobs.manage",
  params: JobParams,
  response: JobDto,
  errors: ["not_found", "conflict"],
});

export const cancelJobContract = defineContract({
  method: "POST",
  path: "/api/v1/jobs/{id}/cancel",
  tag: "Jobs",
  summary: "Cancel a job that has not finished",
  access: "jobs.manage",
  params: JobParams,
  response: JobDto,
  errors: ["not_found", "conflict"],
});

export const jobsContracts = [listJobsContract, retryJobContract, cancelJobContract];
