import type { DenialSurfaces } from "../contracts/denial-surfaces.js";
import type { CliIo } from "./cli-io.js";

/** Says on stderr when a parent's policy denies a contract's access (`what`: what the contract is on), and when the denial is lifted. */
export function reportDenials(contract: DenialSurfaces, what: string, io: CliIo): void {
  contract.onDenial((denial) => io.err(denial === undefined ? `hakuban: access to ${what} granted again\n` : `hakuban: ${denial.message}\n`));
}
