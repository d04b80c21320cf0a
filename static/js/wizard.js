// Shows and hides conditional questions as the respondent answers.
// Progressive enhancement only: without this script the server applies show_if
// when the step is posted.
(function () {
  "use strict";
  var form = document.querySelector("form[data-visibility-url]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-visibility-url");
  var pending = null;

  function apply(visible) {
    var shown = {};
    visible.forEach(function (id) { shown[id] = true; });
    form.querySelectorAll(".question[data-question]").forEach(function (block) {
      var isShown = !!shown[block.getAttribute("data-question")];
      block.hidden = !isShown;
      block.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !isShown;
      });
    });
  }

  // aria-busy tells assistive technology (and the browser tests) that the
  // questions may still change.
  function refresh() {
    if (pending) { pending.abort(); }
    var request = pending = new AbortController();
    form.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: pending.signal
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && data.visible) { apply(data.visible); }
    }).catch(function () { /* the server still applies show_if on submit */ })
      .then(function () {
        if (pending === request) { form.removeAttribute("aria-busy"); pending = null; }
      });
  }

  if (form.querySelector("[data-conditional]")) {
    form.addEventListener("change", refresh);
  }
})();

// An exclusive option ("none") of a multiple-choice question is an answer on its own:
// ticking it unticks the question's other options, ticking another unticks it.
// Progressive enhancement only: without this script the server refuses the mix.
(function () {
  "use strict";
  if (!document.querySelector("input[type=checkbox][data-exclusive]")) { return; }
  // Capture: the boxes are set before the visibility refresh reads the form.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.type !== "checkbox" || !box.checked || !box.name || !box.form) { return; }
    var exclusive = box.hasAttribute("data-exclusive");
    box.form.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other === box || other.name !== box.name || !other.checked) { return; }
      if (exclusive || other.hasAttribute("data-exclusive")) { other.checked = false; }
    });
  }, true);
})();
