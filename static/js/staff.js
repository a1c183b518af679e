// The agent's workspace: small conveniences; every form also works without this file.
(function () {
  "use strict";

  // "Select all" in the queue: ticks every row's box (the boxes belong to the bulk form).
  function selectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.hidden = false;
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-select-all");
        document.querySelectorAll('input[name="' + name + '"]').forEach(function (row) {
          row.checked = box.checked;
        });
      });
    });
  }

  // The bulk bar offers only the values of the chosen action.
  function bulkValues() {
    var action = document.getElementById("bulk-action");
    var value = document.getElementById("bulk-value");
    if (!action || !value) {
      return;
    }
    function show() {
      var first = null;
      value.querySelectorAll("optgroup").forEach(function (group) {
        var on = group.getAttribute("data-action") === action.value;
        group.hidden = !on;
        group.disabled = !on;
        if (on && !first) {
          first = group.querySelector("option");
        }
      });
      if (first && value.selectedOptions[0] && value.selectedOptions[0].parentNode.disabled) {
        first.selected = true;
      }
    }
    action.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
    bulkValues();
  });
})();
