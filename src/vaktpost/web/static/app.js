// vaktpost review: small progressive enhancements; every action also works without script.
(function () {
  "use strict";
  // A reveal lasts a short time: count down, then put the blurred preview back.
  function armReveals(root) {
    root.querySelectorAll("[data-hide-after]").forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      var left = parseInt(el.dataset.hideAfter, 10) || 0;
      var panel = el.closest(".media-panel");
      var counter = panel && panel.querySelector(".countdown");
      var timer = setInterval(function () {
        left -= 1;
        if (counter) counter.textContent = String(Math.max(left, 0));
        if (left <= 0) {
          clearInterval(timer);
          if (el.tagName === "VIDEO") { el.pause(); el.removeAttribute("src"); el.load(); }
          var img = document.createElement("img");
          img.className = "media shielded";
          img.alt = "Blurred greyscale preview";
          img.src = el.dataset.preview;
          el.replaceWith(img);
          var banner = panel && panel.querySelector(".reveal-banner");
          if (banner) banner.textContent = "Hidden again. Reload the page to reveal once more.";
        }
      }, 1000);
    });
    root.querySelectorAll("video").forEach(function (v) { v.muted = true; v.volume = 0; });
  }
  // "Add to case" forms post to the chosen case.
  function armCaseForms(root) {
    root.querySelectorAll("form[data-case-form]").forEach(function (form) {
      var select = form.querySelector("[data-case-select]");
      if (!select) return;
      var kind = form.dataset.caseKind || "findings";
      var sync = function () { form.action = "/cases/" + select.value + "/" + kind; };
      select.addEventListener("change", sync);
      sync();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { armReveals(document); armCaseForms(document); });
  document.addEventListener("htmx:afterSwap", function (e) { armReveals(e.target.parentNode || document); });
})();
