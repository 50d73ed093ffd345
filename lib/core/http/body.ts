// Reading a request body: at most MAX_BODY_BYTES, JSON only, every failure a clear 4xx.
import { AppError } from "../errors.ts";

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The deepest nesting a JSON body may have. JSON.parse reads hundreds of thousands of levels, but
 * JSON.stringify (audit payloads, JSON columns) and every recursive walk overflow the stack at a
 * few thousand: deeper bodies are refused as bad input before anything walks them. Real ones
 * (Kubernetes objects, Terraform plans, Alertmanager's payload) stay far below.
 */
export const MAX_JSON_DEPTH = 128;

/** True when `value` nests arrays and objects more than `limit` levels deep (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  refuseDeclaredOversize(req, limit);
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.", {
      contentType: type || null,
    });
  }
  const text = await readLimited(req, limit);
  if (text.trim() === "") throw new AppError("invalid_json", "The request body is empty; send a JSON document.");
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError("invalid_json", `The request body is not valid JSON: ${(e as Error).message}`);
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) throw new AppError("invalid_json", `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  return value;
}

const YAML_TYPES = /^(application\/(x-)?yaml|text\/(x-)?yaml|text\/plain)\b/i;

/** A YAML body, as text: the domain parses it so that its errors can name lines and columns. */
export async function readYamlBody(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  refuseDeclaredOversize(req, limit);
  const type = req.headers.get("content-type") ?? "";
  if (!YAML_TYPES.test(type.trim())) {
    throw new AppError("unsupported_media_type", "Send the file as YAML with `Content-Type: application/yaml`.", { contentType: type || null });
  }
  return readLimited(req, limit);
}

/** A body whose declared length is over the limit is refused before any of it is read. */
function refuseDeclaredOversize(req: Request, limit: number): void {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw new AppError("payload_too_large", `The request body is larger than ${limit / 1024 / 1024} MB.`, { limitBytes: limit });
  }
}

async function readLimited(req: Request, limit: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", `The request body is larger than ${limit / 1024 / 1024} MB.`, { limitBytes: limit });
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}
