// The live character count of a text area marked data-count (写信's 主要内容): it says how many
// characters were typed and how many remain, and tells screen readers politely.
(function () {
  "use strict";
  var areas = document.querySelectorAll("textarea[data-count]");
  Array.prototype.forEach.call(areas, function (area) {
    var out = document.getElementById(area.id + "-count");
    if (!out) { return; }
    var limit = parseInt(area.getAttribute("maxlength"), 10) || 0;
    function update() {
      var used = area.value.length;
      out.textContent = "已输入 " + used + " 字" + (limit ? "，还可输入 " + Math.max(0, limit - used) + " 字" : "");
    }
    area.addEventListener("input", update);
    update();
  });
})();
