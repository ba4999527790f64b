import { readFile } from "node:fs/promises";
import { RouterFileError } from "./router-file-error.js";

/** The text of a file an option names, or a RouterFileError naming the option, the file and why it cannot be read. */
export async function readOptionFile(option: string, what: string, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RouterFileError(`${option} ${path}: cannot read ${what} (${reason}); check the path and that the router's user may read it.`, { cause: error });
  }
}

/** A secret's text without the one trailing newline editors and `echo` leave. */
export function withoutTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}
