import type { ListenOptions } from "../net/node/listen.js";
import type { Authenticate } from "../trust/auth-request.js";
import { jwtAuthenticator } from "../trust/jwt-authenticator.js";
import { JwtOptionsError } from "../trust/jwt-options-error.js";
import type { Policy } from "../trust/policy.js";
import { openAuditLog } from "./audit-log.js";
import { readOptionFile, withoutTrailingNewline } from "./option-file.js";
import { loadPolicyFile, type PolicyFile } from "./policy-file.js";
import type { RouterLog } from "./router.js";
import { RouterFileError } from "./router-file-error.js";
import type { RouterTrust } from "./router-options.js";

/** What the router's trust options became once their files were read: listen's options, and what stays open. */
export interface OpenRouterTrust {
  /** The listen options they set: TLS, allowed origins, authentication, policy and audit. */
  readonly listen: Pick<ListenOptions, "tls" | "allowedOrigins" | "authenticate" | "policy" | "audit">;
  /** The policy file followed (`--policy`), if any. */
  readonly policyFile: PolicyFile | undefined;
  /** Stops following the policy file and closes the audit log, once the listener has closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Reads the files the trust options name: the TLS certificate and key, the JWT secret (one trailing
 * newline trimmed, as editors and `echo` leave one), the policy file (followed from then on, each new
 * policy given to `onPolicy`, which the listener audits, with SIGHUP's reload left to the caller), and
 * opens the audit log, which the policy file's rejections are audited to too. Rejects with RouterFileError when a TLS or secret file
 * cannot be read or the secret is too short, with PolicyFileError for a policy file that cannot be read
 * or does not validate; nothing stays open then.
 */
export async function openRouterTrust(options: RouterTrust, log: RouterLog, onPolicy: (policy: Policy) => void): Promise<OpenRouterTrust> {
  const tls =
    options.tls === undefined
      ? undefined
      : { cert: await readOptionFile("--tls-cert", "the TLS certificate", options.tls.certFile), key: await readOptionFile("--tls-key", "the TLS key", options.tls.keyFile) };
  const authenticate = options.jwtSecretFile === undefined ? undefined : await jwtSecretAuthenticator(options.jwtSecretFile);
  const auditLog = options.auditLog === undefined ? undefined : openAuditLog(options.auditLog, { report: (line) => log("warn", line) });
  let policyFile: PolicyFile | undefined;
  try {
    policyFile =
      options.policyFile === undefined
        ? undefined
        : await loadPolicyFile(options.policyFile, {
            onChange: onPolicy,
            log,
            // The listener audits the policy-changed event when onPolicy hands it the policy; the file audits the rejections.
            ...(auditLog === undefined
              ? {}
              : {
                  audit: (event) => {
                    if (event.kind !== "policy-changed") auditLog.write(event);
                  },
                }),
          });
  } catch (error) {
    await auditLog?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    listen: {
      ...(tls === undefined ? {} : { tls }),
      ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
      ...(authenticate === undefined ? {} : { authenticate }),
      ...(policyFile === undefined ? {} : { policy: policyFile.policy }),
      ...(auditLog === undefined ? {} : { audit: auditLog.write }),
    },
    policyFile,
    close: () =>
      (closing ??= (async () => {
        await policyFile?.close();
        await auditLog?.close();
      })()),
  };
}

/** The `authenticate` of `--jwt-secret-file`: HS256 JWTs signed with the file's secret. */
async function jwtSecretAuthenticator(path: string): Promise<Authenticate> {
  const secret = withoutTrailingNewline(await readOptionFile("--jwt-secret-file", "the JWT secret", path));
  try {
    return jwtAuthenticator({ secret });
  } catch (error) {
    if (!(error instanceof JwtOptionsError)) throw error;
    throw new RouterFileError(`--jwt-secret-file ${path}: ${error.message}.`, { cause: error });
  }
}
