// The expressions rendered files carry for their own platforms (GitHub's and Azure's ${{ … }},
// Azure's $(…) macros) must come out of rendering exactly as written. Every source line holding
// one is marked, the source is rendered again with the marks, and each mark that survives (a line
// inside a false [% if %] is rightly gone) must be followed by that same line, its [[ … ]] parts
// aside. Lines holding [% … %] tags are not checked: they are Paved's own logic.
import { renderText, type RenderContext } from "../render.ts";
import type { Failure } from "./types.ts";

const OPEN = "\uE000";
const CLOSE = "\uE001";
const MARK = /\uE000(\d+)\uE001/g;
const FOREIGN_EXPRESSION = /\$\{\{|\$\(/;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A pattern for a source line: its literal text, with each [[ … ]] matching anything. */
function linePattern(line: string): RegExp {
  const parts = line.split(/\[\[[\s\S]*?\]\]/);
  return new RegExp(`^${parts.map(escapeRegex).join("[\\s\\S]*?")}$`);
}

/** Which lines to mark: they carry a foreign expression, no Liquid tag, and no Liquid delimiter spans into them. */
function candidates(source: string): Set<number> {
  const out = new Set<number>();
  let open = false;
  source.split("\n").forEach((line, i) => {
    const startsOpen = open;
    for (const m of line.matchAll(/\[\[|\[%|\]\]|%\]/g)) open = m[0] === "[[" || m[0] === "[%";
    if (!startsOpen && !open && !line.includes("[%") && FOREIGN_EXPRESSION.test(line)) out.add(i);
  });
  return out;
}

export function checkPassThrough(sourcePath: string, source: string, outputPath: string, rendered: string, ctx: RenderContext): { failures: Failure[]; skipped?: string } {
  const marked = candidates(source);
  if (marked.size === 0) return { failures: [] };
  const lines = source.split("\n");
  const markedSource = lines.map((l, i) => (marked.has(i) ? `${OPEN}${i}${CLOSE}${l}` : l)).join("\n");
  let output: string;
  try {
    output = renderText(sourcePath, markedSource, ctx);
  } catch {
    return { failures: [], skipped: `pass-through check of ${outputPath} (the marked source does not render)` };
  }
  if (output.replace(MARK, "") !== rendered) return { failures: [], skipped: `pass-through check of ${outputPath} (its output depends on line content)` };
  const failures: Failure[] = [];
  for (const m of output.matchAll(MARK)) {
    const index = Number(m[1]);
    const start = (m.index ?? 0) + m[0].length;
    const end = output.indexOf("\n", start);
    const got = output.slice(start, end < 0 ? undefined : end).replace(MARK, "");
    const want = lines[index] ?? "";
    if (!linePattern(want).test(got)) {
      failures.push({
        check: "pass-through",
        file: outputPath,
        message: `${sourcePath} line ${index + 1} changed in rendering: ${JSON.stringify(want.trim())} came out as ${JSON.stringify(got.trim())}`,
      });
    }
  }
  return { failures };
}
