// Shows the next version for the chosen component and release type in the version field.
(function () {
  "use strict";
  var match = window.location.pathname.match(/^(.*\/)(?:add\/|(\d+)\/change\/)$/);
  function update() {
    var component = document.getElementById("id_component");
    var type = document.getElementById("id_release_type");
    var version = document.getElementById("id_version");
    if (!match || !component || !type || !version || !component.value || !type.value) { return; }
    var url = match[1] + "suggest-version/?component=" + encodeURIComponent(component.value) +
      "&release_type=" + encodeURIComponent(type.value) + "&exclude=" + (match[2] || "");
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      version.placeholder = data.version ? "suggested: " + data.version : (data.message || "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["id_component", "id_release_type"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.addEventListener("change", update); }
    });
    update();
  });
})();
