// Structured JSON logs on stdout (pino). Secrets never go into a log line: the redact list
// below strips the usual suspects even when a caller logs a whole object.
import pino from "pino";
import { env } from "./env.ts";

export const logger = pino({
  level: process.env.LOG_LEVEL ?? env().logLevel,
  base: { app: "paved" },
  redact: {
    paths: [
      "authorization",
      "*.authorization",
      "headers.authorization",
      "headers.cookie",
      "*.token",
      "token",
      "*.password",
      "*.secret",
      "secret",
    ],
    censor: "[redacted]",
  },
});

export type Logger = typeof logger;
