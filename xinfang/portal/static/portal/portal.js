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

// 写信: the organ suggested for the chosen problem region (the petition bureau that routes it on),
// read from the list the page carries; "选择该机关" puts it in the organ field. Without scripts the
// page suggests the same after sending.
(function () {
  "use strict";
  var region = document.getElementById("id_problem_region");
  var org = document.getElementById("id_org");
  var map = document.getElementById("organ-map");
  var shown = document.getElementById("organ-suggested");
  var general = document.getElementById("organ-general");
  var take = document.getElementById("organ-take");
  if (!region || !org || !map || !shown || !general || !take) { return; }
  function update() {
    var item = map.querySelector('li[data-region="' + region.value + '"]');
    if (!item) { shown.hidden = true; general.hidden = false; return; }
    shown.querySelector("strong").textContent = item.textContent;
    take.setAttribute("data-org", item.getAttribute("data-org"));
    shown.hidden = false;
    general.hidden = true;
  }
  region.addEventListener("change", update);
  take.addEventListener("click", function () {
    org.value = take.getAttribute("data-org");
    org.focus();
  });
  update();
})();
