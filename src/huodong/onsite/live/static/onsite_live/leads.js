/* Leads on a phone (EX-6): the camera or a photo reads the badge's QR with jsQR (the scanner's vendor file,
   /static/vendor/jsqr/jsQR.js) and submits the ticket token to the page (?token=), which verifies it on the
   server. Without a camera (or JavaScript) the ticket code and the name search still work. */
(function () {
  "use strict";
  var root = document.getElementById("leads");
  if (!root) return;
  var cameraButton = root.querySelector("[data-action='camera']");
  var imageButton = root.querySelector("[data-testid='image-button']");
  var imageInput = root.querySelector("[data-testid='image-input']");
  var status = root.querySelector("[data-testid='camera-status']");
  var box = root.querySelector("[data-testid='camera']");
  var tokenForm = root.querySelector("[data-testid='token-form']");
  if (!cameraButton || !tokenForm) return;
  var video = box.querySelector("video");
  var canvas = box.querySelector("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var label = cameraButton.textContent;

  function say(text) { status.textContent = text; status.hidden = !text; }

  function found(text) {
    stop();
    tokenForm.querySelector("input[name='token']").value = text;
    tokenForm.submit();
  }

  function decode(source, width, height) {
    if (typeof window.jsQR !== "function" || !width || !height) return null;
    canvas.width = width;
    canvas.height = height;
    ctx.drawImage(source, 0, 0, width, height);
    var pixels = ctx.getImageData(0, 0, width, height);
    var code = window.jsQR(pixels.data, width, height, { inversionAttempts: "attemptBoth" });
    return code && code.data ? code.data : null;
  }

  function frame() {
    if (!stream) return;
    if (video.readyState >= 2) {
      var text = decode(video, video.videoWidth, video.videoHeight);
      if (text) { found(text); return; }
    }
    window.requestAnimationFrame(frame);
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    box.hidden = true;
    cameraButton.textContent = label;
  }

  cameraButton.addEventListener("click", function () {
    if (stream) { stop(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        cameraButton.textContent = cameraButton.dataset.stop || "×";
        say("");
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(frame); })
      .catch(function (e) { stop(); say(String(e && e.message ? e.message : e)); });
  });

  imageInput.addEventListener("change", function () {
    var file = imageInput.files && imageInput.files[0];
    if (!file) return;
    var img = new Image();
    img.onload = function () {
      var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
      var text = decode(img, Math.round(img.naturalWidth * scale), Math.round(img.naturalHeight * scale));
      URL.revokeObjectURL(img.src);
      if (text) found(text); else say(root.dataset.noQr || "?");
    };
    img.src = URL.createObjectURL(file);
  });

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) cameraButton.hidden = false;
  imageButton.hidden = false;
})();
