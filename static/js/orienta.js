// Orienta's small helpers. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Buttons that print the page (referral slips).
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) { event.preventDefault(); window.print(); }
  });
  // Confirm dangerous actions: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
