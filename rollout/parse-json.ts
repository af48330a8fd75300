// A JSON document read with its schema: the two ways it can be wrong (not
// JSON at all, or not the document expected) each said in the caller's words.
import { z } from "zod";

export interface JsonDocument<T> {
  schema: z.ZodType<T>;
  /** The message when the text is not JSON. */
  notJson: string;
  /** What the document should be ("a release mark"), for the message when it is JSON of another shape. */
  what: string;
}

export function parseJsonDocument<T>(text: string, doc: JsonDocument<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(doc.notJson);
  }
  const parsed = doc.schema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`not ${doc.what}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
