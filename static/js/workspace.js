/* The agents' workspace in the browser: SLA countdowns, keyboard shortcuts, filling a found customer.
   No build step; plain ES2017. */
(function () {
  "use strict";
  // Behaviour that used to sit in attributes (the CSP allows scripts from files only).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var text = (d ? d + (zh ? "天" : "d ") : "") + pad(h) + ":" + pad(m) + ":" + pad(s % 60);
    return late ? (zh ? "超时 " : "late ") + text : (zh ? "剩余 " : "") + text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (badge) {
      var due = Date.parse(badge.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var left = due - now, out = badge.querySelector(".countdown");
      if (out) { out.textContent = " " + format(left); }
      if (left < 0) { badge.classList.add("sla-breached"); }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-keyboard-list] tbody tr[data-href]")); }
  function select(i) {
    var list = rows();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(i, list.length - 1));
    list.forEach(function (row, n) { row.classList.toggle("selected", n === current); row.setAttribute("aria-selected", n === current); });
    list[current].scrollIntoView({ block: "nearest" });
    var link = list[current].querySelector("a");
    if (link) { link.focus({ preventScroll: true }); }
  }

  function post(url) {
    var form = document.createElement("form"), token = document.querySelector("[name=csrfmiddlewaretoken]");
    form.method = "post"; form.action = url;
    if (token) { var input = token.cloneNode(); input.value = token.value; form.appendChild(input); }
    document.body.appendChild(form); form.submit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var list = rows();
    switch (event.key) {
      case "n": window.location.href = "/tickets/new/"; break;
      case "/": var search = document.querySelector("[data-shortcut='/']"); if (search) { search.focus(); } break;
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter":
        // Enter opens the row j/k chose; on any other link, button or the menu it does what they do.
        if (!list[current] || (event.target !== document.body && !list[current].contains(event.target))) { return; }
        window.location.href = list[current].getAttribute("data-href");
        break;
      case "c":
        if (list[current] && list[current].getAttribute("data-claim")) { post(list[current].getAttribute("data-claim")); }
        else { var claim = document.querySelector("[data-shortcut='c']"); if (claim) { claim.click(); } }
        break;
      case "r": var reply = document.querySelector("[data-shortcut='r']"); if (reply) { reply.focus(); } break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-customer]");
    if (!button) { return; }
    var set = function (id, value) { var el = document.getElementById(id); if (el && value) { el.value = value; } };
    set("id_name", button.dataset.name); set("id_phone", button.dataset.phone);
    set("id_account_no", button.dataset.account); set("id_email", button.dataset.email);
    set("id_customer_class", button.dataset["class"]);
    var subject = document.getElementById("id_subject"); if (subject) { subject.focus(); }
  });
})();

/* The header's menu on narrow screens: a <details> in base.html, so it opens without scripts too. Here the
   button tells whether it is open (aria-expanded), and Escape or a click outside the header closes it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.getElementById("menu"), button = menu && menu.querySelector("summary");
    if (!button) { return; }
    function sync() { button.setAttribute("aria-expanded", menu.open ? "true" : "false"); }
    sync();
    menu.addEventListener("toggle", sync);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) { menu.open = false; button.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !event.target.closest(".topbar")) { menu.open = false; }
    });
  });
})();

/* Canned replies (常用语): choosing one in the list beside the reply box, or Alt+1 … Alt+9 in the box,
   inserts its text where the cursor is. The texts come filled in for the ticket (messaging.selectors). */
(function () {
  "use strict";
  function insert(area, text) {
    var start = area.selectionStart, end = area.selectionEnd;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.selectionStart = area.selectionEnd = start + text.length;
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("change", function (event) {
    var list = event.target.closest && event.target.closest("[data-canned]");
    if (!list || !list.value) { return; }
    var area = document.getElementById(list.getAttribute("data-canned"));
    if (area) { insert(area, list.value); }
    list.selectedIndex = 0;
  });
  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!event.altKey || event.ctrlKey || event.metaKey || !area.matches || !area.matches("[data-canned-target]")) { return; }
    var n = /^Digit([1-9])$/.exec(event.code || "");
    var list = document.querySelector("[data-canned='" + area.id + "']");
    if (!n || !list || !list.options[Number(n[1])]) { return; }
    insert(area, list.options[Number(n[1])].value);
    event.preventDefault();
  });
})();

/* Files dropped on a reply or note box go into its file field (the field itself works without this). */
(function () {
  "use strict";
  function target(event) { return event.target.closest && event.target.closest("[data-drop]"); }
  document.addEventListener("dragover", function (event) {
    var box = target(event);
    if (box && event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault(); box.classList.add("dragging");
    }
  });
  document.addEventListener("dragleave", function (event) { var box = target(event); if (box) { box.classList.remove("dragging"); } });
  document.addEventListener("drop", function (event) {
    var box = target(event), input = box && document.getElementById(box.getAttribute("data-drop"));
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) { return; }
    event.preventDefault(); box.classList.remove("dragging");
    var all = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
    Array.prototype.forEach.call(event.dataTransfer.files, function (file) { all.items.add(file); });
    input.files = all.files;
  });
})();
