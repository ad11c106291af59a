// The attendance screen. No inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  var list = document.getElementById("attendance-list");
  if (!list) { return; }

  // A tap that did not reach the server says so on its row, so the facilitator taps again.
  function markFailed(event) {
    var row = event.target.closest && event.target.closest(".attendance-row");
    if (!row) { return; }
    var note = row.querySelector(".attendance-failed");
    if (!note) {
      note = document.createElement("div");
      note.className = "attendance-failed small text-danger mt-1";
      note.setAttribute("role", "alert");
      row.appendChild(note);
    }
    note.textContent = list.dataset.errorMessage || "";
  }
  document.body.addEventListener("htmx:sendError", markFailed);
  document.body.addEventListener("htmx:responseError", markFailed);

  // A session that ended while the phone sat in a pocket: go to the sign-in page, never swap it
  // into a row.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var login = list.dataset.loginUrl;
    if (login && xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === login) {
      event.detail.shouldSwap = false;
      window.location.assign(login + "?next=" + encodeURIComponent(window.location.pathname));
    }
  });

  // After someone joined from the search, put the cursor back in the search box.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "search-results") {
      var search = document.getElementById("sport-search");
      if (search && !search.value && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
        search.focus();
      }
    }
  });
})();
