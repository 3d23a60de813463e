// The check-in desk (activities/checkin.html): camera scanning where the browser has
// BarcodeDetector (Chrome on Android, desktop Chrome); elsewhere the phone's own camera app opens
// the code's link. The box carries the id of the code input in data-scan-input.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("scanner");
    if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
    var video = document.getElementById("scan-video");
    var input = document.getElementById(box.getAttribute("data-scan-input"));
    if (!input || !video) { return; }
    box.hidden = false;
    document.getElementById("scan-start").addEventListener("click", async function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      var timer = setInterval(async function () {
        var codes = await detector.detect(video);
        if (!codes.length) { return; }
        clearInterval(timer);
        stream.getTracks().forEach(function (t) { t.stop(); });
        var text = codes[0].rawValue, match = text.match(/\/c\/([A-Za-z0-9]+)\/?$/);
        input.value = match ? match[1] : text;
        input.form.submit();
      }, 300);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
