/* Presence on a ticket page: every few seconds this page says "viewing" or "typing" and shows who else
   is on the ticket. A page that closes simply stops reporting and drops off within seconds.
   No build step; plain ES2017. */
(function () {
  "use strict";
  var EVERY = 3000, TYPING_FOR = 5000;
  var box = document.getElementById("presence");
  if (!box || !window.fetch) { return; }
  var lastInput = 0;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form")) { lastInput = Date.now(); }
  });
  function token() {
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function report(state) {
    var body = new URLSearchParams();
    body.set("state", state);
    return fetch(box.getAttribute("data-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "X-Requested-With": "fetch" }
    });
  }
  function beat() {
    if (document.hidden) { return; }
    report(Date.now() - lastInput < TYPING_FOR ? "typing" : "viewing").then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) { box.innerHTML = html; }).catch(function () { /* try again at the next beat */ });
  }
  beat();
  setInterval(beat, EVERY);
})();
