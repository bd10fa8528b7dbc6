/* Survey builder: show only the settings the chosen type of question uses. Without
 * JavaScript every setting stays visible, each with a hint naming the types that use it. */
(function () {
  "use strict";
  var form = document.querySelector("[data-question-form]");
  if (!form) { return; }
  var kind = form.querySelector("select[name=kind]");
  if (!kind) { return; }
  function update() {
    var groups = form.querySelectorAll(".kind-settings");
    for (var i = 0; i < groups.length; i++) {
      var kinds = groups[i].getAttribute("data-kinds").split(" ");
      groups[i].hidden = kinds.indexOf(kind.value) === -1;
    }
  }
  kind.addEventListener("change", update);
  update();
})();
