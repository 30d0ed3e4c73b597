// Progressive enhancement only: every page works without this file. It checks the JSON
// metadata editors as they are typed (valid JSON, an object, at most 8 KB), so a mistake shows
// before the form is sent; the server checks again and has the last word.
(function () {
  "use strict";
  var LIMIT = 8192;
  function check(area) {
    var message = "";
    var text = area.value.trim();
    if (text !== "") {
      var size = new TextEncoder().encode(text).length;
      try {
        var value = JSON.parse(text);
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          message = "Metadata must be a JSON object, like {\"plan\": \"pro\"}.";
        } else if (size > LIMIT) {
          message = "Metadata is " + size + " bytes; the limit is " + LIMIT + ".";
        }
      } catch (e) {
        message = "Not valid JSON: " + e.message;
      }
    }
    var out = document.getElementById(area.id + "-error");
    if (out) { out.textContent = message; }
    if (message) { area.setAttribute("aria-invalid", "true"); }
    else { area.removeAttribute("aria-invalid"); }
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-json]")) { check(event.target); }
  });
})();
