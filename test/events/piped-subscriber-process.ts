// A process whose application code throws from RxJS subscribers of a node's observables; run by
// crash.test.ts. Mode "ours": chains built with .pipe() on the node's observables (contained: the
// process lives on). Mode "foreign": a chain made by combineLatest (RxJS rules: the process dies).
import { combineLatest, map, of } from "rxjs";
import { LocalNode } from "../../lib/index.js";

const node = new LocalNode();
node.onError(({ error }) => console.log(`reported: ${(error as Error).message}`));
const expose = node.object([], "x").expose<number>();
const observe = node.object([], "x").observe<number>();
expose.set(1);

if (process.argv[2] === "foreign") {
  combineLatest([observe.state$, of(0)]).subscribe(() => {
    throw new Error("subscriber of a foreign chain");
  });
} else {
  observe.state$.pipe(map((state) => state?.data)).subscribe((data) => {
    throw new Error(`piped subscriber ${data}`);
  });
  observe.state$
    .pipe(
      map(() => {
        throw new Error("operator callback");
      }),
    )
    .subscribe();
}

// RxJS rethrows what nobody handled from a timer set at the time: these run after it, if the process lives.
setTimeout(() => {
  expose.set(2);
  setTimeout(() => {
    void node.close().then(() => console.log("still alive"));
  });
});
