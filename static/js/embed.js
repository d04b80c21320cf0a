// When the diagnostic runs inside the consultancy's own page (an iframe), tell that page how
// tall the content is, so the frame fits it with no scroll bar of its own. Only the origins
// allowed to frame the diagnostic (FRAME_ANCESTORS, in data-embed-origins) are told.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var root = document.documentElement;
  var origins = (root.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  if (!origins.length) {
    return;
  }
  root.classList.add("embedded");
  var last = 0;

  function report() {
    if (!document.body) {
      return;
    }
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) {
      return;
    }
    last = height;
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: "assess:height", height: height }, origin);
    });
  }

  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  document.addEventListener("DOMContentLoaded", function () {
    report();
    if ("ResizeObserver" in window) {
      new ResizeObserver(report).observe(document.body);
    }
  });
})();
