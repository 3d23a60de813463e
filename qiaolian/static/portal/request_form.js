// The portal's request form (portal/my/request_form.html): show only the topic that belongs to
// the chosen kind (without the script all four stay visible).
(function () {
  "use strict";
  function start() {
    var topics = document.getElementById("request-topics");
    if (!topics) { return; }
    var form = topics.closest("form");
    function sync() {
      var chosen = form.querySelector('input[name="kind"]:checked');
      topics.querySelectorAll("[data-kind]").forEach(function (box) {
        box.hidden = chosen !== null && box.dataset.kind !== chosen.value;
      });
    }
    form.addEventListener("change", sync);
    sync();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
