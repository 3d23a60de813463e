/*
 * Chunked, resumable upload of large files on the portal's entry form.
 *
 * Attaches to every <form data-chunked-upload>. Files larger than data-threshold bytes are sent
 * before the form in pieces of data-chunk-size bytes to data-start-url (then to the chunk URL the
 * server returns), with a progress bar. After a failure the script asks the server how much it
 * has (status URL) and goes on from there; an upload that was interrupted by a reload is found
 * again in localStorage and resumed. When every large file is up, their ids go into the hidden
 * "upload_ids" field, the large files are taken out of the file input and the form is submitted
 * as usual. Small files travel in the ordinary multipart request, so the form works without
 * JavaScript. No inline script: CSP-friendly.
 */
(function () {
  "use strict";

  var RETRIES = 5;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function storageKey(file, category) {
    return "qiaolian-upload:" + category + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function remember(key, value) {
    try {
      if (value) { window.localStorage.setItem(key, JSON.stringify(value)); } else { window.localStorage.removeItem(key); }
    } catch (e) { /* private mode: resume within the page only */ }
  }

  function recall(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function jsonOrError(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      body.httpStatus = response.status;
      return body;
    });
  }

  function Uploader(form) {
    this.form = form;
    this.input = form.querySelector("input[type=file][name=files]");
    this.ids = form.querySelector("input[name=upload_ids]");
    this.category = form.querySelector("[name=category]");
    this.box = form.querySelector("[data-upload-progress]");
    this.label = form.querySelector("[data-upload-label]");
    this.bar = form.querySelector("[data-upload-bar]");
    this.error = form.querySelector("[data-upload-error]");
    this.button = form.querySelector("[data-upload-submit]");
    this.chunkSize = parseInt(form.dataset.chunkSize, 10) || 2097152;
    this.threshold = parseInt(form.dataset.threshold, 10) || 8388608;
    this.busy = false;
    form.addEventListener("submit", this.onSubmit.bind(this));
    if (this.input && this.ids) {
      // Newly chosen files replace what was uploaded for an earlier attempt.
      this.input.addEventListener("change", function () { this.ids.value = ""; }.bind(this));
    }
  }

  Uploader.prototype.showError = function (message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  };

  Uploader.prototype.progress = function (file, sent) {
    var percent = file.size ? Math.floor((sent * 100) / file.size) : 100;
    this.box.hidden = false;
    this.label.textContent = this.form.dataset.msgUploading + " " + file.name + " · " + percent + "%";
    this.bar.style.width = percent + "%";
    this.bar.parentNode.setAttribute("aria-valuenow", String(percent));
  };

  Uploader.prototype.post = function (url, body, headers) {
    headers = headers || {};
    headers["X-CSRFToken"] = csrfToken(this.form);
    return fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" }).then(jsonOrError);
  };

  Uploader.prototype.start = function (file, category) {
    var key = storageKey(file, category);
    var known = recall(key);
    var self = this;
    var fresh = function () {
      var body = new URLSearchParams();
      body.set("filename", file.name);
      body.set("size", String(file.size));
      body.set("category", category);
      return self.post(self.form.dataset.startUrl, body).then(function (reply) {
        if (reply.httpStatus !== 201) { throw new Error(reply.error || self.form.dataset.msgFailed); }
        remember(key, { status_url: reply.status_url, chunk_url: reply.chunk_url, id: reply.id });
        return reply;
      });
    };
    if (!known) { return fresh(); }
    return fetch(known.status_url, { credentials: "same-origin" }).then(jsonOrError).then(function (reply) {
      return reply.httpStatus === 200 ? reply : fresh();
    }, fresh);
  };

  Uploader.prototype.send = function (file, upload) {
    var self = this;
    var offset = upload.received;
    var failures = 0;
    function step() {
      self.progress(file, offset);
      if (offset >= file.size) { return Promise.resolve(upload.id); }
      var chunk = file.slice(offset, Math.min(offset + self.chunkSize, file.size));
      return self.post(upload.chunk_url, chunk, {
        "Content-Type": "application/octet-stream",
        "X-Upload-Offset": String(offset),
      }).then(function (reply) {
        if (reply.httpStatus === 200) {
          failures = 0;
          offset = reply.received;
          return step();
        }
        if (reply.httpStatus === 409 && typeof reply.received === "number") {
          offset = reply.received; // the server tells where to resume
          return step();
        }
        throw new Error(reply.error || self.form.dataset.msgFailed);
      }, function () {
        // Network failure: wait, ask the server what it has, resume from there.
        failures += 1;
        if (failures > RETRIES) { throw new Error(self.form.dataset.msgFailed); }
        self.label.textContent = self.form.dataset.msgRetrying;
        return wait(1000 * failures).then(function () {
          return fetch(upload.status_url, { credentials: "same-origin" }).then(jsonOrError);
        }).then(function (reply) {
          if (reply.httpStatus === 200) { offset = reply.received; }
          return step();
        }, step);
      });
    }
    return step();
  };

  Uploader.prototype.onSubmit = function (event) {
    if (this.busy) { event.preventDefault(); return; }
    if (!this.input || !this.input.files || !window.fetch || !window.DataTransfer) { return; }
    var files = Array.prototype.slice.call(this.input.files);
    var self = this;
    var large = files.filter(function (f) { return f.size > self.threshold; });
    if (!large.length) { return; }
    event.preventDefault();
    var category = this.category ? this.category.value : "";
    if (!category) { this.showError(this.form.dataset.msgCategory); return; }
    this.showError("");
    this.busy = true;
    this.button.disabled = true;
    var ids = this.ids.value ? this.ids.value.split(",") : [];
    var keys = [];
    var chain = Promise.resolve();
    large.forEach(function (file) {
      chain = chain.then(function () {
        return self.start(file, category).then(function (upload) {
          keys.push(storageKey(file, category));
          return self.send(file, upload);
        }).then(function (id) { ids.push(id); });
      });
    });
    chain.then(function () {
      var small = new DataTransfer();
      files.forEach(function (f) { if (f.size <= self.threshold) { small.items.add(f); } });
      self.input.files = small.files;
      self.ids.value = ids.join(",");
      self.label.textContent = self.form.dataset.msgDone;
      keys.forEach(function (key) { remember(key, null); });
      self.busy = false;
      self.form.submit();
    }, function (error) {
      self.busy = false;
      self.button.disabled = false;
      self.showError(error.message);
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-chunked-upload]"), function (form) {
      new Uploader(form);
    });
  });
})();
