// Small conveniences on top of pages that work without JavaScript.
document.addEventListener("click", function (event) {
  var button = event.target.closest(".print-button");
  if (button) { window.print(); }
});
document.querySelectorAll(".print-button").forEach(function (button) { button.hidden = false; });
