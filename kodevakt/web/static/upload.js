// Import: the upload with a progress bar, and the size limit told before a byte is sent.
// Without this script the form posts as usual; the server checks everything again.
(function () {
  "use strict";

  function sizeText(bytes) {
    var mb = 1024 * 1024;
    if (bytes >= 10 * mb) return Math.round(bytes / mb) + " MB";
    if (bytes >= mb) return (bytes / mb).toFixed(1).replace(".", ",") + " MB";
    return Math.max(Math.round(bytes / 1024), 1) + " kB";
  }

  function showError(form, text) {
    var input = form.querySelector("#fil");
    var error = form.querySelector("#fil-feil");
    error.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.closest(".field").classList.add("invalid");
    input.focus();
  }

  // The server's answer to a refused upload is a whole page: show its main part here.
  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main) return false;
    document.querySelector("main").replaceWith(main);
    document.title = page.title;
    bind();
    main.focus();
    return true;
  }

  function upload(form, event) {
    var input = form.querySelector("#fil");
    var file = input.files && input.files[0];
    var limit = Number(form.dataset.maxBytes);
    if (file && limit && file.size > limit) {
      event.preventDefault();
      showError(
        form,
        "Filen er for stor (" + sizeText(file.size) + "): grensen for opplasting er " +
          form.dataset.limitText + ". Del uttrekket i mindre filer."
      );
      return;
    }
    if (!file || !window.FormData || !window.XMLHttpRequest) return; // the plain post
    event.preventDefault();
    var area = form.querySelector("#opplasting");
    var bar = form.querySelector("#opplasting-linje");
    var text = form.querySelector("#opplasting-tekst");
    var button = form.querySelector("button[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", form.querySelector("[name=csrf_token]").value);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      text.textContent = percent + " % av " + sizeText(e.total);
    });
    xhr.addEventListener("load", function () {
      var landed = xhr.responseURL ? new URL(xhr.responseURL).pathname : "";
      if (xhr.status < 400 && landed.indexOf("/import/") === 0) {
        window.location.assign(xhr.responseURL); // the job's page
      } else if (!showPage(xhr.responseText)) {
        window.location.assign("/import");
      }
    });
    xhr.addEventListener("error", function () {
      area.hidden = true;
      button.disabled = false;
      showError(
        form,
        "Opplastingen ble avbrutt. Sjekk nettforbindelsen, og at filen ikke er større enn " +
          form.dataset.limitText + "."
      );
    });
    area.hidden = false;
    button.disabled = true;
    text.textContent = "0 %";
    xhr.send(new FormData(form));
  }

  function bind() {
    var form = document.getElementById("import-skjema");
    if (form) form.addEventListener("submit", function (e) { upload(form, e); });
  }

  bind();
})();
