// An error thrown inside the package: run with --enable-source-maps, its stack names the TypeScript
// source through the shipped source maps.
import { ObjectDescriptor } from "hakuban";

try {
  new ObjectDescriptor("not an array of tags", {});
} catch (error) {
  console.log(error.stack);
}
