import type { NodeConnectOptions } from "../net/node/connect.js";
import { readOptionFile, withoutTrailingNewline } from "./option-file.js";
import { RouterFileError } from "./router-file-error.js";
import type { RouterParentTrust } from "./router-options.js";

/**
 * The `connect` options of `--token-file` and `--ca-file`: a token function reading the file at each
 * dial and refresh (so a rotated token is picked up without a restart), and the CA a `wss://` parent
 * is verified with. Both files are read once now, so the router does not start with one it cannot
 * read: rejects with RouterFileError naming the option and the file (an empty token file too).
 */
export async function openParentTrust(options: RouterParentTrust): Promise<Pick<NodeConnectOptions, "token" | "tls">> {
  const { tokenFile, caFile } = options;
  const ca = caFile === undefined ? undefined : await readOptionFile("--ca-file", "the parent's certificate authority", caFile);
  if (tokenFile !== undefined) await readToken(tokenFile);
  return {
    ...(tokenFile === undefined ? {} : { token: () => readToken(tokenFile) }),
    ...(ca === undefined ? {} : { tls: { ca } }),
  };
}

/** The token in `path`, without its trailing newline; RouterFileError when it cannot be read or is empty. */
async function readToken(path: string): Promise<string> {
  const token = withoutTrailingNewline(await readOptionFile("--token-file", "the token for the parent", path));
  if (token === "") throw new RouterFileError(`--token-file ${path}: the file is empty; write the token the parent accepts into it.`);
  return token;
}
