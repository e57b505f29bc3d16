/* huodong: the little behaviour pages need without inline scripts (so a Content-Security-Policy without
   'unsafe-inline' keeps them working). Pages work without it; it asks before a destructive button and, after a
   refused save, brings the first error into view and focuses it (without it, the server's autofocus does). */
(function () {
  "use strict";
  // <button data-confirm="确定删除?"> (or the form's data-confirm): ask before submitting.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  // After a refused save (the page again, or an htmx swap of a 400/409), the first error is in view and
  // focused: a form-wide error box or the stale notice, else the first field marked aria-invalid (or the
  // first field message). Only errors inside a form count (a table may flag missing data with the same
  // classes), and an error message of a refused button.
  var ERRORS = "form .errorbox[role=alert], form .stale, form [aria-invalid=true], form .field-error, .messages .msg-error";
  function control(error) {
    if (error.matches("input, select, textarea, button")) { return error; }
    if (error.classList.contains("field-error")) {
      var field = error.closest(".field");
      var input = field && field.querySelector("input:not([type=hidden]), select, textarea");
      if (input) { return input; }
    }
    if (!error.hasAttribute("tabindex")) { error.setAttribute("tabindex", "-1"); }
    return error;
  }
  function showFirstError(root) {
    var error = (root || document).querySelector(ERRORS);
    if (!error) { return false; }
    var target = control(error);
    var box = target === error ? error : (target.closest(".field") || target);
    box.scrollIntoView({ block: "center", inline: "nearest" });
    try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
    return true;
  }
  showFirstError(document);
  // Person pickers (core.widgets.PersonPicker): a search box filters the list by name, pinyin, username,
  // department or title; the people chosen stay in the list whatever the filter; a count says how many.
  function setUpPicker(picker) {
    if (picker.hasAttribute("data-picker-ready")) { return; }
    picker.setAttribute("data-picker-ready", "");
    var tools = picker.querySelector("[data-picker-tools]");
    var search = picker.querySelector("[data-picker-search]");
    var count = picker.querySelector("[data-picker-count]");
    var none = picker.querySelector("[data-picker-none]");
    var options = Array.prototype.slice.call(picker.querySelectorAll(".picker-option"));
    var template = count.getAttribute("data-template") || "";
    function update() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, chosen = 0;
      options.forEach(function (option) {
        var box = option.querySelector("input");
        var text = option.getAttribute("data-search") || "";
        var match = box.checked || words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match) { shown += 1; }
        if (box.checked) { chosen += 1; }
      });
      none.hidden = shown > 0;
      count.textContent = template.replace("{n}", String(chosen));
    }
    tools.hidden = false;
    search.addEventListener("input", update);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter filters, it does not submit the form
    });
    picker.addEventListener("change", update);
    update();
  }
  function setUpPickers(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-person-picker]"), setUpPicker);
  }
  setUpPickers(document);
  document.addEventListener("htmx:afterSettle", function (event) { setUpPickers(event.target); });
  // htmx: a refused form swapped in (400 or 409, see base.html's htmx-config).
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && (xhr.status === 400 || xhr.status === 409)) {
      showFirstError(document);
    }
  });
})();
