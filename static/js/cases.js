// People and intake forms: show only the fields that apply. No inline scripts (CSP).
(function () {
  "use strict";

  function checkedValue(form, name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function toggle(form, fieldName, show) {
    var input = form.querySelector('[name="' + fieldName + '"]');
    if (!input) { return; }
    var wrapper = input.closest(".mb-3") || input.parentElement;
    wrapper.hidden = !show;
  }

  function refresh(form) {
    // Guardian fields only when a guardian gives consent.
    ["consent-", "", "person-"].forEach(function (prefix) {
      if (form.querySelector('[name="' + prefix + 'given_by"]')) {
        var guardian = checkedValue(form, prefix + "given_by") === "guardian";
        toggle(form, prefix + "guardian_name", guardian);
        toggle(form, prefix + "guardian_relationship", guardian);
      }
    });
    // Household code and relationship only when joining one.
    if (form.querySelector('[name="household-mode"]')) {
      var mode = checkedValue(form, "household-mode");
      toggle(form, "household-code", mode === "join");
      toggle(form, "household-relationship", mode === "join" || mode === "keep");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#registration-form, #record-form").forEach(function (form) {
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
    // "Add another document": a new row of the documents formset from its template.
    document.querySelectorAll("[data-add-document]").forEach(function (button) {
      var prefix = button.getAttribute("data-add-document");
      var total = document.querySelector('[name="' + prefix + '-TOTAL_FORMS"]');
      var template = document.getElementById("document-row-template");
      var rows = document.getElementById("more-documents");
      var max = parseInt(button.getAttribute("data-max"), 10);
      if (!total || !template || !rows) { return; }
      function update() { button.hidden = parseInt(total.value, 10) >= max; }
      update();
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        rows.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        update();
        var first = rows.lastElementChild.querySelector("select, input");
        if (first) { first.focus(); }
      });
    });
    // Typing a detail ticks its area of need.
    var intake = document.getElementById("intake-form");
    if (intake) {
      intake.addEventListener("input", function (event) {
        var match = /^need_(.+)_detail$/.exec(event.target.name || "");
        if (match && event.target.value.trim()) {
          var box = intake.querySelector('[name="need_' + match[1] + '"]');
          if (box) { box.checked = true; }
        }
      });
    }
  });
})();
