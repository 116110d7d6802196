// Long form posts (upload, compile): while the server works, the button is disabled (no double submit) and an
// indeterminate progress bar with the seconds elapsed is shown under the form. The server answers with a redirect
// (or the page again with its errors) when the work is done; nothing here decides anything.
(function () {
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      var note = document.createElement("p");
      note.className = "busy";
      note.id = form.id + "-busy";
      var bar = document.createElement("progress");
      var text = document.createElement("span");
      note.appendChild(bar);
      note.appendChild(text);
      form.appendChild(note);
      var start = Date.now();
      var tick = function () {
        text.textContent = " " + form.dataset.busy + "（已用 " + Math.round((Date.now() - start) / 1000) + " 秒）";
      };
      tick();
      setInterval(tick, 1000);
    });
  });
})();
