/** The inspector page's entry. */
document.body.textContent = "hakuban inspector";
