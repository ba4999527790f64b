import { h, replaceChildren } from "./element.js";

/** Asks for the token the router's authentication wants, when none was given or the given one was refused. */
export class TokenForm {
  private readonly input = h("input", { type: "password", name: "token", autocomplete: "off", placeholder: "Token", "aria-label": "Token", required: true });
  private readonly reason = h("p", { class: "form-reason" });
  readonly element = h(
    "form",
    { class: "token-form notice" },
    h("h2", {}, "This router asks for a token"),
    h("p", {}, "Give the token (for example a JWT) the router's authentication accepts; it is kept for this tab only. A link may also carry it: ", h("code", {}, "#token=…"), "."),
    this.reason,
    h("div", { class: "form-row" }, this.input, h("button", { type: "submit" }, "Connect")),
  );

  constructor(submit: (token: string) => void) {
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = this.input.value.trim();
      if (token !== "") submit(token);
    });
  }

  /** Says why a token is asked for again (the router refused the last one), or nothing. */
  showReason(reason: string | undefined): void {
    replaceChildren(this.reason, reason ?? "");
    this.reason.hidden = reason === undefined;
  }
}
