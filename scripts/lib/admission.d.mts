// Types for admission.mjs (plain JavaScript: the web server's shim runs without a TypeScript loader).
import type { IncomingMessage, ServerResponse } from "node:http";

export type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface Admission {
  wrap(listener: Listener): Listener;
  stats(): { active: number; waiting: number; refused: number };
}

export function createAdmission(options: { concurrency: number; queue: number; retryAfterSeconds?: number }): Admission;
