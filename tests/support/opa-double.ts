// A double of Open Policy Agent's REST Data API, as OPA documents it: POST /v1/data/{path} with
// a JSON body `{ "input": … }` answers `{ "result": … }` (no `result` when the rule is
// undefined), GET /health answers 200. The "Rego" here is a function per path.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Rule = (input: Record<string, unknown>) => unknown;

export interface OpaDouble {
  url: string;
  requests: { path: string; body: unknown }[];
  /** Problems with requests that real OPA would refuse (wrong method, no input, not JSON). */
  violations: string[];
  close(): Promise<void>;
}

export async function startOpaDouble(rules: Record<string, Rule>): Promise<OpaDouble> {
  const requests: { path: string; body: unknown }[] = [];
  const violations: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://opa");
      if (req.method === "GET" && url.pathname === "/health") {
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
        return;
      }
      const match = /^\/v1\/data\/(.+)$/.exec(url.pathname);
      if (!match || req.method !== "POST") {
        violations.push(`${req.method} ${url.pathname} is not the Data API`);
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ code: "resource_not_found", message: "not found" }));
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        violations.push("body is not JSON");
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ code: "invalid_parameter", message: "body is not JSON" }));
        return;
      }
      if (typeof body !== "object" || body === null || !("input" in body)) violations.push("body has no input");
      if (!(req.headers["content-type"] ?? "").includes("application/json")) violations.push("content-type is not application/json");
      const path = match[1] ?? "";
      requests.push({ path, body });
      const rule = rules[path];
      const input = (body as { input: Record<string, unknown> }).input;
      const result = rule ? rule(input) : undefined;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result === undefined ? {} : { result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, violations, close: () => new Promise((r) => server.close(() => r())) };
}
