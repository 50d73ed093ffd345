// POST /api/v1/templates/{name}/preview: the files an instantiation would write, with diffs.
import { handle } from "@/lib/core/http/handler";
import { previewTemplate, previewTemplateContract } from "@/lib/templates";

export const POST = handle(previewTemplateContract, ({ actor, params, body }) => previewTemplate(actor, params.name, body));
