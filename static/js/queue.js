/* The queue's selection for bulk actions: x toggles the focused row (the one j/k moved to, or the row
   holding the focused link or box), shift+x selects every row on the page or none, the header box does
   the same, b moves to the bulk bar's first button; the bar shows how many are selected and hides when
   none are. The selection survives
   the queue's refresh every 30 s. Loaded by the queue page only; plain ES2017, no build step. */
(function () {
  "use strict";
  var chosen = {};  // ticket id -> true, kept across the htmx refresh of #queue

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("#queue [data-select-row]")); }
  function idOf(box) { return box.closest("tr").getAttribute("data-ticket"); }

  function render() {
    var list = boxes(), n = 0;
    list.forEach(function (box) {
      if (box.checked) { n += 1; }
      box.closest("tr").classList.toggle("checked", box.checked);
    });
    var all = document.querySelector("#queue [data-select-all]");
    if (all) { all.checked = n > 0 && n === list.length; all.indeterminate = n > 0 && n < list.length; }
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) { bar.hidden = n === 0; }
    var count = document.querySelector("[data-bulk-count]");
    if (count) { count.textContent = String(n); }
  }

  function remember() {
    chosen = {};
    boxes().forEach(function (box) { if (box.checked) { chosen[idOf(box)] = true; } });
    render();
  }

  function setAll(on) {
    boxes().forEach(function (box) { box.checked = on; });
    remember();
  }

  function focusedRow() {
    var active = document.activeElement, row = active && active.closest ? active.closest("#queue tbody tr[data-ticket]") : null;
    return row || document.querySelector("#queue tbody tr.selected[data-ticket]");
  }

  function typing(target) {
    if (!target) { return false; }
    if (target.tagName === "INPUT") { return !/^(checkbox|radio|button|submit)$/.test(target.type); }
    return target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName);
  }

  document.addEventListener("change", function (event) {
    if (!event.target.matches) { return; }
    if (event.target.matches("#queue [data-select-row]")) { remember(); }
    else if (event.target.matches("#queue [data-select-all]")) { setAll(event.target.checked); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "X" || (event.key === "x" && event.shiftKey)) {
      var list = boxes();
      setAll(!(list.length && list.every(function (box) { return box.checked; })));
    } else if (event.key === "b") {  // to the actions for the selection
      var bar = document.querySelector("[data-bulk-bar]"), first = bar && !bar.hidden && bar.querySelector("button");
      if (!first) { return; }
      first.focus();
    } else if (event.key === "x") {
      var row = focusedRow(), box = row && row.querySelector("[data-select-row]");
      if (!box) { return; }
      box.checked = !box.checked;
      remember();
    } else {
      return;
    }
    event.preventDefault();
  });

  // The refresh brings new rows: tick again those still in the list.
  document.addEventListener("htmx:afterSwap", function () {
    boxes().forEach(function (box) { box.checked = !!chosen[idOf(box)]; });
    remember();
  });
  document.addEventListener("DOMContentLoaded", remember);
})();
