// Small conveniences on top of pages that work without JavaScript.
document.addEventListener("click", function (event) {
  if (event.target.closest(".print-button")) { window.print(); }
});
document.querySelectorAll(".print-button").forEach(function (button) { button.hidden = false; });

// After htmx swaps a wizard step in, move focus to what is new, as a page load would:
// the error summary when there is one, else the step's heading. Screen readers announce it.
document.body.addEventListener("htmx:afterSettle", function (event) {
  var wizard = document.getElementById("wizard");
  if (!wizard || !(event.detail.elt === wizard || wizard.contains(event.detail.elt))) { return; }
  var target = wizard.querySelector(".error-summary") || wizard.querySelector("h1");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
