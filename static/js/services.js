// Services pages: the partner list follows the chosen service; group session participants.
// Loaded as a file (the Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";

  // Referral form: show only the partners that serve the chosen service's area.
  var service = document.querySelector("select[name=service_type][data-service-areas]");
  var partner = document.querySelector("select[name=partner]");
  if (service && partner) {
    var areaOf = {};
    service.dataset.serviceAreas.split(" ").forEach(function (pair) {
      var bits = pair.split(":");
      if (bits.length === 2) { areaOf[bits[0]] = bits[1]; }
    });
    var filterPartners = function () {
      var area = areaOf[service.value];
      Array.prototype.forEach.call(partner.options, function (option) {
        if (!option.value) { return; }
        var areas = (option.dataset.areas || "").split(" ").filter(Boolean);
        var fits = !area || areas.length === 0 || areas.indexOf(area) !== -1;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { partner.value = ""; }
      });
    };
    service.addEventListener("change", filterPartners);
    filterPartners();
  }

  // Service, referral and session forms: offer only the programs whose indicators count the chosen
  // service's area; choose the only one left, or the user's last choice when it is among them.
  var programSelect = document.querySelector("select[name=program][data-program-service-areas]");
  if (programSelect) {
    var serviceArea = {};
    programSelect.dataset.programServiceAreas.split(" ").forEach(function (pair) {
      var bits = pair.split(":");
      if (bits.length === 2) { serviceArea[bits[0]] = bits[1]; }
    });
    var chosenService = function () {
      var field = document.querySelector("select[name=service_type], input[name=service_type]:checked");
      return field ? field.value : "";
    };
    var filterPrograms = function () {
      var area = serviceArea[chosenService()];
      var fitting = [];
      Array.prototype.forEach.call(programSelect.options, function (option) {
        if (!option.value) { return; }
        var areas = (option.dataset.areas || "").split(" ").filter(Boolean);
        var fits = !area || areas.indexOf("*") !== -1 || areas.indexOf(area) !== -1;
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits) { fitting.push(option.value); }
        if (!fits && option.selected) { programSelect.value = ""; }
      });
      if (!programSelect.value && area) {
        var last = programSelect.dataset.last;
        if (fitting.length === 1) { programSelect.value = fitting[0]; }
        else if (last && fitting.indexOf(last) !== -1) { programSelect.value = last; }
      }
    };
    document.addEventListener("change", function (event) {
      if (event.target.name === "service_type") { filterPrograms(); }
    });
    filterPrograms();
  }

  // Status forms: the date the service was received only matters for "completed".
  Array.prototype.forEach.call(document.querySelectorAll("form[data-completed-toggle]"), function (form) {
    var wrapper = form.querySelector("#div_id_completed_on");
    var input = form.querySelector("input[name=completed_on]");
    if (!wrapper || !input) { return; }
    var sync = function () {
      var checked = form.querySelector("input[name=to_status]:checked");
      var completed = !!checked && checked.value === "completed";
      (wrapper.closest("[data-completed-column]") || wrapper).hidden = !completed;
      if (!completed) { input.value = ""; }
    };
    form.addEventListener("change", function (event) {
      if (event.target.name === "to_status") { sync(); }
    });
    sync();
  });

  // Psychosocial session: the service follows the kind (individual or group session).
  var sessionService = document.querySelector("select[name=service_type][data-codes]");
  if (sessionService) {
    var pkOf = {};
    sessionService.dataset.codes.split(" ").forEach(function (pair) {
      var bits = pair.split(":");
      if (bits.length === 2) { pkOf[bits[1]] = bits[0]; }
    });
    document.addEventListener("change", function (event) {
      if (event.target.name !== "kind") { return; }
      var current = sessionService.value;
      if (event.target.value === "group" && current === pkOf["mhpss-individual"] && pkOf["mhpss-group"]) {
        sessionService.value = pkOf["mhpss-group"];
      } else if (event.target.value === "individual" && current === pkOf["mhpss-group"] && pkOf["mhpss-individual"]) {
        sessionService.value = pkOf["mhpss-individual"];
      }
    });
  }

  // Psychosocial session: a ticked search result moves to the chosen participants and stays
  // there when the search changes; unticking a chosen one removes it.
  var chosen = document.getElementById("participant-chosen");
  var results = document.getElementById("participant-results");
  if (chosen && results) {
    results.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "participants" || !box.checked) { return; }
      if (chosen.querySelector('input[name=participants][value="' + box.value + '"]')) {
        box.closest("li").remove();
        return;
      }
      var item = box.closest("li");
      var label = item.querySelector("label");
      label.className = "badge text-bg-light border fs-6 fw-normal";
      chosen.appendChild(item);
    });
    chosen.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name === "participants" && !box.checked) { box.closest("li").remove(); }
    });
    var group = document.getElementById("group-participants");
    var kinds = document.querySelectorAll("input[name=kind]");
    var toggle = function () {
      var checked = document.querySelector("input[name=kind]:checked");
      group.hidden = !!checked && checked.value === "individual";
    };
    Array.prototype.forEach.call(kinds, function (input) { input.addEventListener("change", toggle); });
    toggle();
  }
})();
