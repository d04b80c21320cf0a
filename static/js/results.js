// The results page's report section updates itself: it asks the status endpoint, less and
// less often, and redraws the section from the page when the report's state changes.
// Without JavaScript the section keeps its "refresh" link.
(function () {
  "use strict";
  var section = document.getElementById("report");
  if (!section || !section.dataset.statusUrl || !window.fetch) { return; }
  section.querySelectorAll(".no-script-only").forEach(function (link) { link.remove(); });
  var FINAL = ["sent", "failed"];
  var delay = 2000;            // first check after 2 s, then twice as long each time
  var MAX_DELAY = 60000;       // never more than a minute apart
  var GIVE_UP_AFTER = 30 * 60000;  // a page left open stops asking after half an hour
  var started = Date.now();
  var state = section.dataset.state;
  var ready = section.dataset.ready === "yes";

  function redraw() {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("report");
        if (fresh) {
          fresh.querySelectorAll(".no-script-only").forEach(function (link) { link.remove(); });
          section.innerHTML = fresh.innerHTML;
          section.dataset.state = fresh.dataset.state;
          section.dataset.ready = fresh.dataset.ready;
        }
      });
  }

  function check() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (!found) { return null; }
        var changed = found.state !== state || found.ready !== ready;
        state = found.state;
        ready = found.ready;
        return (changed ? redraw() : Promise.resolve()).then(function () { return found.final; });
      })
      .catch(function () { return false; })
      .then(function (final) {
        if (final || FINAL.indexOf(state) >= 0 || Date.now() - started > GIVE_UP_AFTER) { return; }
        delay = Math.min(delay * 2, MAX_DELAY);
        window.setTimeout(check, delay);
      });
  }

  if (FINAL.indexOf(state) < 0) { window.setTimeout(check, delay); }
}());
