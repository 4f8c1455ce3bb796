// Small conveniences on top of pages that work without JavaScript.
document.addEventListener("click", function (event) {
  if (event.target.closest(".print-button")) { window.print(); }
});

// The plan to send (wizard outcome): the phone's share sheet, which reaches Zalo; where there is
// none, copy the link and say so beside the button. Shown only where one of them works, and again
// whenever htmx swaps an outcome in (Print too: the outcome usually arrives that way).
function switchOnPlanControls(root) {
  root.querySelectorAll(".print-button").forEach(function (button) { button.hidden = false; });
  root.querySelectorAll(".send-plan-button").forEach(function (button) {
    button.hidden = !(navigator.share || navigator.clipboard);
  });
}
switchOnPlanControls(document);
document.body.addEventListener("htmx:load", function (event) { switchOnPlanControls(event.detail.elt); });
document.addEventListener("click", function (event) {
  var button = event.target.closest(".send-plan-button");
  if (!button) { return; }
  if (navigator.share) {
    navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(function () {});
    return;
  }
  navigator.clipboard.writeText(button.dataset.url).then(function () {
    button.parentNode.querySelector(".send-status").textContent = button.dataset.copied;
  });
});

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

// Share kit: copy a link, or hand it to the phone's share sheet (which reaches Zalo). "Copied"
// shows beside the button pressed, and only there: the last copy is the one in the clipboard.
document.querySelectorAll(".copy-button").forEach(function (button) {
  if (!navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      document.querySelectorAll(".copy-status").forEach(function (status) { status.textContent = ""; });
      button.nextElementSibling.textContent = button.dataset.copied;
    });
  });
});
document.querySelectorAll(".share-button").forEach(function (button) {
  if (!navigator.share) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(function () {});
  });
});

// Leaving a question for the next one, htmx adds a history entry for the new step. The one left
// behind has only the earlier answers in its URL, so Back (which reloads it: no history cache)
// would show this question unanswered. Put the chosen answer in that URL first: Back, and a
// reload there, then show it still chosen, as a browser does for a page without JavaScript.
document.body.addEventListener("htmx:beforeHistorySave", function () {
  var chosen = document.querySelector("#wizard form input[type=radio]:checked");
  if (!chosen) { return; }
  var url = new URL(window.location.href);
  url.searchParams.set(chosen.name, chosen.value);
  history.replaceState(history.state, "", url);
});

// Offline after one visit: the worker (static/js/sw.js) keeps the pages opened, and is handed the
// ones it did not fetch (the first, a step htmx swapped in) with their files. Failing, it is inert.
if ("serviceWorker" in navigator) {
  var serviceWorkers = navigator.serviceWorker, site = document.documentElement.dataset;
  var keepOffline = function (urls) {
    serviceWorkers.ready.then(function (registration) { registration.active.postMessage({ keep: urls, offline: site.offline }); });
  };
  if (!serviceWorkers.controller) { keepOffline([location.href].concat(performance.getEntriesByType("resource").map(function (r) { return r.name; }))); }
  serviceWorkers.register(site.serviceWorker).catch(function () {});
  document.body.addEventListener("htmx:pushedIntoHistory", function (event) { keepOffline([new URL(event.detail.path, location.href).href]); });
}
