// Progressive enhancements: upload progress and drag and drop, and live run progress.
// Every form also works without this script.
"use strict";

function setUpUpload() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const box = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const percent = document.getElementById("upload-percent");
  const problem = document.getElementById("upload-error");
  const maxBytes = Number(form.dataset.maxBytes);

  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    input.files = event.dataTransfer.files;
  });

  form.addEventListener("submit", (event) => {
    const tooLarge = Array.from(input.files).filter((file) => file.size > maxBytes);
    if (tooLarge.length > 0) {
      event.preventDefault();
      problem.textContent = tooLarge.map((f) => f.name).join(", ") +
        ": larger than the upload limit. Split the file or start the app with a larger --max-upload-gb.";
      problem.hidden = false;
      return;
    }
    if (input.files.length === 0) return;  // the server explains that no file was picked
    event.preventDefault();
    problem.hidden = true;
    box.hidden = false;
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const value = Math.floor((100 * progress.loaded) / progress.total);
      bar.value = value;
      percent.textContent = value < 100 ? value + "% sent" : "Sent; checking the files…";
    });
    request.addEventListener("load", () => {
      let next = form.action;
      try { next = JSON.parse(request.responseText).next || next; } catch (error) { /* an HTML answer */ }
      window.location.assign(next);
    });
    request.addEventListener("error", () => {
      problem.textContent = "The upload failed: the app did not answer. Check that it is still running, then try again.";
      problem.hidden = false;
      box.hidden = true;
    });
    request.send(new FormData(form));
  });
}

function describeStage(stage) {
  if (stage.total) return stage.done.toLocaleString() + " of " + stage.total.toLocaleString();
  if (stage.done) return stage.done.toLocaleString() + " done";
  return "";
}

function setUpProgress() {
  const section = document.getElementById("progress");
  if (!section) return;
  const url = section.dataset.progressUrl;
  const poll = () => {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then((response) => response.json())
      .then((data) => {
        if (data.status === "finished") { window.location.assign(section.dataset.resultsUrl); return; }
        if (data.status !== "running") { window.location.assign(section.dataset.runUrl); return; }
        let reached = false;
        for (const stage of data.stages) {
          const item = document.getElementById("stage-" + stage.stage);
          const state = item.querySelector(".stage-state");
          const current = stage.stage === data.current;
          item.classList.toggle("current", current);
          if (current) { reached = true; state.textContent = "running… " + describeStage(stage); }
          else if (!reached && data.current) { state.textContent = "done"; }
          else { state.textContent = ""; }
        }
        if (data.cancelling) document.getElementById("cancel-button").textContent = "Cancelling…";
        window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpUpload();
  setUpProgress();
});
