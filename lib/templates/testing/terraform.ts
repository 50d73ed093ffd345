// Terraform files, checked structurally (no terraform binary exists here): brackets balance
// outside strings, comments and heredocs; every top-level statement is a known block; and within
// one module folder every var.x, local.x and module.x names a declared variable, local or module.
import type { Failure, OutputFile } from "./types.ts";

const BLOCK_HEADERS: RegExp[] = [
  /^(terraform|locals|moved|import|check|removed)\s*\{$/,
  /^(variable|output|provider|module)\s+"[A-Za-z_][\w-]*"\s*\{$/,
  /^(resource|data|ephemeral)\s+"[A-Za-z_][\w-]*"\s+"[A-Za-z_][\w-]*"\s*\{$/,
];

export interface TerraformScan {
  problems: string[];
  /** The code with comments and the literal parts of strings blanked out (interpolations kept). */
  code: string;
  /** Top-level blocks: their header ("resource aws_s3_bucket artifacts") and their body's code. */
  blocks: { kind: string; labels: string[]; body: string }[];
}

/** One pass over HCL text, tracking strings (with ${ } interpolations), comments and heredocs. */
export function scanTerraform(text: string, isVars = false): TerraformScan {
  const problems: string[] = [];
  const stack: { ch: string; line: number; interp: boolean }[] = [];
  let code = "";
  let i = 0;
  let line = 1;
  let inString = false;
  const blocks: TerraformScan["blocks"] = [];
  let statementStart = -1;
  let blockStart = -1;
  let header = "";
  const closers: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

  const atTop = () => stack.length === 0 && !inString;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") {
        code += "  ";
        i += 2;
        continue;
      }
      if (c === "$" && next === "$") {
        code += "  ";
        i += 2;
        continue;
      }
      if (c === '"') {
        inString = false;
        code += c;
      } else if ((c === "$" || c === "%") && next === "{" && text[i + 2] !== undefined) {
        stack.push({ ch: "{", line, interp: true });
        inString = false;
        code += c + next;
        i += 2;
        continue;
      } else code += c === "\n" ? "\n" : " ";
      i++;
      continue;
    }
    if (c === "#" || (c === "/" && next === "/")) {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (const ch of text.slice(i, stop)) {
        if (ch !== "\n") continue;
        line++;
        code += "\n";
      }
      if (end < 0) problems.push(`a /* comment is never closed`);
      i = stop;
      continue;
    }
    if (c === "<" && next === "<") {
      const m = /^<<-?([A-Za-z_]\w*)[ \t]*\n/.exec(text.slice(i));
      if (m) {
        const marker = m[1] as string;
        const lines = text.slice(i + m[0].length).split("\n");
        let consumed = m[0].length;
        let closed = false;
        for (const l of lines) {
          consumed += l.length + 1;
          if (l.trim() === marker) {
            closed = true;
            break;
          }
        }
        if (!closed) problems.push(`heredoc <<${marker} is never closed`);
        consumed = Math.min(consumed, text.length - i);
        line += (text.slice(i, i + consumed).match(/\n/g) ?? []).length;
        code += '""\n';
        i += consumed;
        continue;
      }
    }
    if (atTop() && statementStart < 0 && !/\s/.test(c)) {
      statementStart = i;
    }
    if (c === '"') {
      inString = true;
      code += c;
      i++;
      continue;
    }
    if (c === "{" || c === "(" || c === "[") {
      if (atTop() && c === "{" && statementStart >= 0) {
        header = text.slice(statementStart, i + 1).replace(/\s+/g, " ").trim();
        blockStart = code.length + 1;
      }
      stack.push({ ch: c, line, interp: false });
    } else if (c === "}" || c === ")" || c === "]") {
      const open = stack.pop();
      if (!open) problems.push(`line ${line}: "${c}" closes nothing`);
      else if (closers[open.ch] !== c) problems.push(`line ${line}: "${c}" closes "${open.ch}" opened on line ${open.line}`);
      else if (open.interp) {
        inString = true;
        code += c;
        i++;
        continue;
      }
      if (stack.length === 0 && open && !open.interp && blockStart >= 0) {
        const parts = [...header.matchAll(/"([^"]*)"|([A-Za-z_][\w-]*)/g)].map((m) => m[1] ?? m[2] ?? "");
        blocks.push({ kind: parts[0] ?? "", labels: parts.slice(1), body: code.slice(blockStart) });
        if (!isVars && !BLOCK_HEADERS.some((re) => re.test(header))) problems.push(`"${header.slice(0, 60)}" is not a Terraform block`);
        blockStart = -1;
        statementStart = -1;
      }
    } else if (c === "\n" && atTop() && statementStart >= 0 && blockStart < 0) {
      const statement = text.slice(statementStart, i).trim();
      if (!isVars || !/^[A-Za-z_][\w-]*\s*=/.test(statement)) problems.push(`line ${line - 1}: "${statement.slice(0, 60)}" is outside any block`);
      statementStart = -1;
    }
    code += c;
    i++;
  }
  if (inString) problems.push("a string is never closed");
  for (const open of stack) problems.push(`"${open.ch}" opened on line ${open.line} is never closed`);
  return { problems, code, blocks };
}

/** Checks every .tf file of the output, module folder by module folder. */
export function checkTerraform(files: OutputFile[]): Failure[] {
  const failures: Failure[] = [];
  const byDir = new Map<string, { file: OutputFile; scan: TerraformScan }[]>();
  for (const file of files) {
    const scan = scanTerraform(file.content, file.path.endsWith(".tfvars"));
    failures.push(...scan.problems.map((message) => ({ check: "terraform" as const, file: file.path, message })));
    const dir = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/")) : "";
    byDir.set(dir, [...(byDir.get(dir) ?? []), { file, scan }]);
  }
  for (const scanned of byDir.values()) {
    const tf = scanned.filter((s) => s.file.path.endsWith(".tf"));
    const variables = new Set<string>();
    const locals = new Set<string>();
    const modules = new Set<string>();
    for (const { scan } of tf) {
      for (const b of scan.blocks) {
        if (b.kind === "variable" && b.labels[0]) variables.add(b.labels[0]);
        if (b.kind === "module" && b.labels[0]) modules.add(b.labels[0]);
        if (b.kind === "locals") for (const m of b.body.matchAll(/^\s*([A-Za-z_][\w-]*)\s*=/gm)) locals.add(m[1] ?? "");
      }
    }
    for (const { file, scan } of tf) {
      const report = (kind: string, declared: Set<string>, what: string) => {
        const seen = new Set<string>();
        for (const m of scan.code.matchAll(new RegExp(`(?<![\\w.])${kind}\\.([A-Za-z_][\\w-]*)`, "g"))) {
          const name = m[1] ?? "";
          if (declared.has(name) || seen.has(name)) continue;
          seen.add(name);
          failures.push({ check: "terraform", file: file.path, message: `uses ${kind}.${name}, but no ${what} "${name}" is declared in this folder` });
        }
      };
      report("var", variables, "variable");
      report("local", locals, "local");
      report("module", modules, "module");
    }
  }
  return failures;
}
