/* huodong: the little behaviour pages need without inline scripts (so a Content-Security-Policy without
   'unsafe-inline' keeps them working). Pages work without it; it only asks before a destructive button. */
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
})();
