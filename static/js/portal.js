// Small behaviours on top of htmx; every page also works without this file.
(function () {
  "use strict";

  // Every htmx request carries the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });

  // Forms marked data-confirm ask before they are sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();

// The ticket form: show the fields the chosen type asks for, and swap in the type's
// outline only while the description is empty or still the previous outline.
(function () {
  "use strict";

  function ticketForm() {
    var select = document.querySelector(".ticket-form select#type");
    var description = document.getElementById("description");
    if (!select || !description || select.dataset.ready) {
      return;
    }
    select.dataset.ready = "1";

    function chosen() {
      return select.options[select.selectedIndex];
    }

    function showAsked() {
      var asks = (chosen().getAttribute("data-asks") || "").split(" ");
      document.querySelectorAll(".ticket-form .extra[data-field]").forEach(function (el) {
        el.hidden = asks.indexOf(el.getAttribute("data-field")) === -1;
      });
    }

    var outline = chosen().getAttribute("data-template") || "";
    select.addEventListener("change", function () {
      var next = chosen().getAttribute("data-template") || "";
      var typed = description.value.trim();
      if (typed === "" || typed === outline.trim()) {
        description.value = next;
      }
      outline = next;
      showAsked();
    });
    showAsked();
  }

  document.addEventListener("DOMContentLoaded", ticketForm);
})();

// After a reply is stored (htmx), empty the box and its preview for the next one.
document.addEventListener("htmx:afterRequest", function (event) {
  "use strict";
  var form = event.detail.elt;
  if (form && form.id === "reply-form" && event.detail.successful &&
      event.detail.xhr.status === 200) {
    form.reset();
    var preview = document.getElementById("reply-preview");
    if (preview) {
      preview.innerHTML = "";
    }
  }
});

// A wide table in an article or reply scrolls on its own: make it reachable by keyboard.
(function () {
  "use strict";

  function focusableScrollers(root) {
    (root || document).querySelectorAll(".prose table, .prose pre").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { focusableScrollers(); });
  document.addEventListener("htmx:afterSettle", function () { focusableScrollers(); });
  window.addEventListener("resize", function () { focusableScrollers(); });
})();
