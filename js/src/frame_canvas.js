// The browser side of nnlib.labs._canvas.FrameCanvas: a <canvas> shown at the size it is drawn.
//
// The kernel sends each frame as a custom message {type: "frame", frame, rects, ack?, play?}
// with one buffer per rectangle [x, y, w, h] of `rects` (a lab's panels that changed): its
// RGBA pixels, zlib-compressed, drawn at (x, y). They are inflated (fflate) and drawn in the
// same task that receives the message:
// an asynchronous decoder (createImageBitmap, ImageDecoder) hands its result back as a new
// task, which waits behind the page's other work (the readouts' layout, the kernel's status
// messages) - measured 10-45 ms on a 2-core machine, against 1-2 ms for inflating here.
// A frame sent with `ack` is acknowledged once drawn ({type: "drawn"}): that is how the
// kernel's Play bounds the frames in flight; other frames are not (each message to the kernel
// costs a "busy" and an "idle" status that JupyterLab handles). At the next animation frame
// (the one that paints it) the view fires a bubbling "nnlib-frame" DOM event whose
// detail.drawn is the time it was drawn into the canvas (tests/browser/harness.py times both).
//
// Pause: once the lab's Play widget (the model in the `play` trait) shows paused, frames of
// Play (`play`) are not drawn; the view asks for the whole picture ({type: "resync"}), which
// the kernel sends when Play has stopped. So the picture changes once after Pause.
// Pointer events on the picture go to the kernel as {type: "click" | "move" | "leave", x, y}.
import { unzlibSync } from "fflate";

const MOVE_INTERVAL_MS = 40; // pointer moves sent at most this often
const MODEL_PREFIX = "IPY_MODEL_";

function pixels(buffer, w, h) {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const rgba = unzlibSync(bytes, { out: new Uint8Array(w * h * 4) });
  return new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), w, h);
}

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

  let play = null; // the Play widget's model, once resolved
  const ref = model.get("play");
  if (typeof ref === "string" && ref.startsWith(MODEL_PREFIX) && model.widget_manager) {
    model.widget_manager.get_model(ref.slice(MODEL_PREFIX.length)).then((m) => { play = m; })
      .catch((err) => console.warn("nnlib: Pause will not stop frames in flight:", err));
  }
  let resyncAsked = false;
  const paused = (msg) => {
    if (!msg.play || !play || play.get("playing")) return false;
    if (!resyncAsked) { // after the Play widget's own message, so the kernel sees Pause first
      resyncAsked = true;
      setTimeout(() => model.send({ type: "resync" }), 0);
    }
    return true;
  };

  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== "frame") return;
    if (!paused(msg)) {
      if (!msg.play) resyncAsked = false;
      try {
        const images = msg.rects.map(([, , w, h], i) => pixels(buffers[i], w, h)); // all or nothing
        msg.rects.forEach(([x, y], i) => ctx.putImageData(images[i], x, y));
      } catch (err) {
        console.error("nnlib: a frame could not be drawn:", err);
        model.send({ type: "error", message: String(err) });
        return;
      }
      const drawn = performance.now();
      requestAnimationFrame(() =>
        canvas.dispatchEvent(new CustomEvent("nnlib-frame", { bubbles: true, detail: { frame: msg.frame, drawn } })));
    }
    if (msg.ack) model.send({ type: "drawn", frame: msg.frame }); // drawn, or dropped after Pause
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
