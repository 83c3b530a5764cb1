// 写信: the legal routes the guide suggests for the chosen problem category and the words of the
// title and content (an HTML fragment the server renders and escapes), shown above the guide; the
// page says the same after sending when scripts are off.
(function () {
  "use strict";
  var box = document.getElementById("legal-route-suggestion");
  var category = document.getElementById("id_category");
  if (!box || !category) { return; }
  var subject = document.getElementById("id_subject");
  var content = document.getElementById("id_content");
  var url = box.getAttribute("data-url");
  var timer = null, asked = "";

  function refresh() {
    var params = new URLSearchParams({
      category: category.value || "",
      subject: subject ? subject.value.slice(0, 200) : "",
      content: content ? content.value.slice(0, 1500) : ""
    });
    var key = params.toString();
    if (key === asked) { return; }
    asked = key;
    if (!category.value) { box.textContent = ""; box.hidden = true; return; }
    fetch(url + "?" + key, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (key !== asked) { return; }
        box.innerHTML = html;
        box.hidden = !html.trim();
      })
      .catch(function () { /* a hint only; writing works without it */ });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 400);
  }

  category.addEventListener("change", refresh);
  [subject, content].forEach(function (el) { if (el) { el.addEventListener("input", later); } });
})();
