// The browser side of nnlib.labs._canvas.FrameCanvas: a <canvas> shown at the size it is drawn.
//
// The kernel sends each frame as a custom message {type: "frame", frame, x, y} with one buffer:
// a PNG of the rectangle that changed, drawn at (x, y). Decoding (createImageBitmap) happens off
// the main thread; frames are drawn in the order they came. After drawing, the view
// acknowledges the frame ({type: "drawn"}), which is how the kernel's Play keeps at most one
// frame in flight, and at the next animation frame (the one that paints it) it fires a
// bubbling "nnlib-frame" DOM event whose detail.drawn is the time it was drawn into the canvas
// (tests/browser/harness.py times both).
// Pointer events on the picture go to the kernel as {type: "click" | "move" | "leave", x, y}.

const MOVE_INTERVAL_MS = 40; // pointer moves sent at most this often

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.classList.add("nnlib-canvas");
  const ctx = canvas.getContext("2d");
  const w = model.get("width"), h = model.get("height"); // fixed for the widget's life
  canvas.width = w;
  canvas.height = h;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  el.appendChild(canvas);

  let queue = Promise.resolve();
  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== "frame") return;
    const blob = new Blob([buffers[0]], { type: "image/png" });
    queue = queue
      .then(() => createImageBitmap(blob))
      .then((bitmap) => {
        ctx.drawImage(bitmap, msg.x, msg.y);
        bitmap.close();
        const drawn = performance.now();
        model.send({ type: "drawn", frame: msg.frame });
        requestAnimationFrame(() =>
          canvas.dispatchEvent(new CustomEvent("nnlib-frame", { bubbles: true, detail: { frame: msg.frame, drawn } })));
      })
      .catch((err) => {
        console.error("nnlib: a frame could not be drawn:", err);
        model.send({ type: "error", message: String(err) });
      });
  };
  model.on("msg:custom", onMessage);

  const at = (e) => ({ x: e.offsetX, y: e.offsetY });
  let lastMove = 0;
  canvas.addEventListener("click", (e) => model.send({ type: "click", ...at(e) }));
  canvas.addEventListener("mousemove", (e) => {
    const now = performance.now();
    if (now - lastMove < MOVE_INTERVAL_MS) return;
    lastMove = now;
    model.send({ type: "move", ...at(e) });
  });
  canvas.addEventListener("mouseleave", () => model.send({ type: "leave" }));

  model.send({ type: "ready" }); // a new view: ask for the whole picture
  return () => model.off("msg:custom", onMessage);
}

export default { render };
