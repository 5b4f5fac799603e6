// Filters that respond (list page): a ticked box or a chosen order applies at once. Without this
// script the form's button does the same. Text and year boxes wait for Enter or the button, so
// that typing does not reload the page on every key.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  if (!form) return;
  var KEY = "ccb-filters-focus";

  // Only the fields that say something: ?region=africa, not ?q=&region=africa&year=&sort=.
  function apply() {
    var query = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim()) query.append(name, value);
    });
    var text = query.toString();
    location.assign(form.action.split("?")[0] + (text ? "?" + text : ""));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
  });

  // Arrow keys change a closed list's value at each press: from the keyboard, an order waits for
  // the button, as WCAG 3.2.2 asks, instead of reloading at the first press.
  var arrowed = false;
  form.addEventListener("keydown", function (event) { arrowed = event.target.tagName === "SELECT"; });
  form.addEventListener("pointerdown", function () { arrowed = false; });

  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.type !== "checkbox" && (el.tagName !== "SELECT" || arrowed)) return;
    try {  // the control to give the focus back to on the new page
      sessionStorage.setItem(KEY, JSON.stringify({ name: el.name, value: el.value, box: el.type === "checkbox" }));
    } catch (error) { /* no storage: the list still updates */ }
    apply();
  });

  var hint = document.getElementById("filters-hint");  // says that the list updates at once
  if (hint) hint.hidden = false;

  // Back from the next page, show the boxes as the results were filtered, not as last clicked.
  addEventListener("pageshow", function (event) {
    if (event.persisted) form.reset();
  });

  var saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY));
    sessionStorage.removeItem(KEY);
  } catch (error) { /* nothing saved */ }
  if (!saved || typeof saved.name !== "string") return;

  var selector = '[name="' + CSS.escape(saved.name) + '"]';
  if (saved.box) selector += '[value="' + CSS.escape(String(saved.value)) + '"]';
  var control = form.querySelector(selector);
  if (control) {
    // It may sit in a folded "Show more" list, or in the folded panel of a small screen.
    for (var fold = control.closest("details"); fold; fold = fold.parentElement.closest("details")) fold.open = true;
    control.focus();
  }
  // Say the new count: a status region speaks when it changes, not when the page loads.
  var count = document.querySelector(".result-count");
  if (count) {
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    document.querySelector("main").appendChild(live);
    setTimeout(function () { live.textContent = count.textContent; }, 250);
  }
})();
