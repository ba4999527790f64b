import { HakubanError } from "../lib/index.js";

/** The page could not read `/inspector.json` from the router that served it. */
export class InspectorConfigError extends HakubanError {
  readonly code = "INSPECTOR_CONFIG";
}
