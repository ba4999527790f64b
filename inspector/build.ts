/** `npm run build:inspector`: writes the inspector page to `dist/inspector/index.html`, which the router serves at `GET /`. */
import { writeInspectorPage } from "./inspector-bundle.js";

await writeInspectorPage();
