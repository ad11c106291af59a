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
