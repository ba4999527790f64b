/** The inspector page's entry: the page is the app. */
import { InspectorApp } from "./inspector-app.js";

void new InspectorApp(document.body).start();
