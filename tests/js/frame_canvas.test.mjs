// The lab canvas's browser code (nnlib/labs/frame_canvas.js, the built bundle) under Node's
// test runner, with a stand-in for the page (document, canvas, ImageData, animation frames)
// and for the widget model: run by tests/test_labs_js.py (`node --test`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateSync } from "node:zlib";
import { pathToFileURL } from "node:url";

const BUNDLE = process.env.NNLIB_FRAME_CANVAS;

class FakeImageData {
  constructor(data, width, height) {
    assert.equal(data.length, width * height * 4, "ImageData size");
    Object.assign(this, { data, width, height });
  }
}

function fakeCanvas() {
  const canvas = {
    drawn: [], events: [], listeners: {}, style: {},
    classList: { add() {} },
    getContext: () => ({ putImageData: (img, x, y) => canvas.drawn.push({ img, x, y }) }),
    addEventListener: (type, fn) => { canvas.listeners[type] = fn; },
    dispatchEvent: (e) => canvas.events.push(e),
  };
  return canvas;
}

function fakeModel(play) {
  const model = {
    sent: [], handlers: {},
    get: (name) => ({ width: 4, height: 3, play: play ? "IPY_MODEL_play1" : null })[name],
    send: (msg) => model.sent.push(msg),
    on: (name, fn) => { model.handlers[name] = fn; },
    off: (name) => { delete model.handlers[name]; },
    widget_manager: { get_model: async (id) => { assert.equal(id, "play1"); return play; } },
  };
  return model;
}

function fakePlay(playing) {
  return { playing, get(name) { assert.equal(name, "playing"); return this.playing; } };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function setup(play = null) {
  globalThis.ImageData = FakeImageData;
  globalThis.requestAnimationFrame = (fn) => setImmediate(fn);
  globalThis.CustomEvent ??= class extends Event { // a global from Node 19 on
    constructor(type, options) { super(type, options); this.detail = options?.detail; }
  };
  const canvas = fakeCanvas();
  globalThis.document = { createElement: (tag) => { assert.equal(tag, "canvas"); return canvas; } };
  const { default: widget } = await import(pathToFileURL(BUNDLE).href);
  const model = fakeModel(play);
  const el = { appendChild: (child) => assert.equal(child, canvas) };
  const cleanup = widget.render({ model, el });
  await tick(); // the Play model resolves
  const frame = (msg, ...rgba) => model.handlers["msg:custom"](msg, rgba.map((px) => new DataView(deflateSync(px).buffer)));
  return { canvas, model, cleanup, frame };
}

function rect(w, h, value) {
  return new Uint8Array(w * h * 4).fill(value);
}

test("a new view asks for the whole picture and is shown at its drawn size", async () => {
  const { canvas, model } = await setup();
  assert.deepEqual(model.sent, [{ type: "ready" }]);
  assert.equal(canvas.width, 4);
  assert.equal(canvas.style.height, "3px");
});

test("a frame is inflated and drawn at once where it belongs; only asked frames are acknowledged", async () => {
  const { canvas, model, frame } = await setup();
  const pixels = rect(2, 1, 0);
  pixels.set([10, 20, 30, 255, 40, 50, 60, 255]);
  frame({ type: "frame", frame: 1, rects: [[2, 1, 2, 1], [0, 2, 1, 1]] }, pixels, rect(1, 1, 9));
  assert.equal(canvas.drawn.length, 2); // in the same task: no decoder to wait for
  const { img, x, y } = canvas.drawn[0];
  assert.deepEqual([x, y, img.width, img.height], [2, 1, 2, 1]);
  assert.deepEqual([...img.data], [...pixels]);
  assert.deepEqual([canvas.drawn[1].x, canvas.drawn[1].y, canvas.drawn[1].img.data[0]], [0, 2, 9]);
  assert.deepEqual(model.sent, [{ type: "ready" }]); // not asked: no message to the kernel
  frame({ type: "frame", frame: 2, rects: [[0, 0, 4, 3]], ack: true }, rect(4, 3, 7));
  assert.deepEqual(model.sent.at(-1), { type: "drawn", frame: 2 });
  await tick();
  assert.deepEqual(canvas.events.map((e) => [e.type, e.bubbles, e.detail.frame]), [["nnlib-frame", true, 1], ["nnlib-frame", true, 2]]);
});

test("after Pause, Play's frames are not drawn and the whole picture is asked for once", async () => {
  const play = fakePlay(true);
  const { canvas, model, frame } = await setup(play);
  frame({ type: "frame", frame: 1, rects: [[0, 0, 4, 3]], play: true }, rect(4, 3, 1));
  assert.equal(canvas.drawn.length, 1);
  play.playing = false; // the student pressed Pause
  frame({ type: "frame", frame: 2, rects: [[0, 0, 4, 3]], play: true }, rect(4, 3, 2));
  frame({ type: "frame", frame: 3, rects: [[0, 0, 4, 3]], play: true, ack: true }, rect(4, 3, 3));
  assert.equal(canvas.drawn.length, 1);
  assert.deepEqual(model.sent.at(-1), { type: "drawn", frame: 3 }); // dropped, but done with
  await tick();
  assert.equal(model.sent.filter((m) => m.type === "resync").length, 1);
  frame({ type: "frame", frame: 4, rects: [[0, 0, 4, 3]] }, rect(4, 3, 4)); // the whole picture
  assert.equal(canvas.drawn.length, 2);
  assert.equal(canvas.drawn[1].img.data[0], 4);
});

test("a frame that cannot be inflated is reported to the kernel, not thrown", async () => {
  const { canvas, model } = await setup();
  const orig = console.error;
  console.error = () => {};
  try {
    const good = new DataView(deflateSync(rect(1, 1, 5)).buffer), bad = new DataView(new Uint8Array([1, 2, 3]).buffer);
    model.handlers["msg:custom"]({ type: "frame", frame: 1, rects: [[0, 0, 1, 1], [1, 0, 4, 3]] }, [good, bad]);
  } finally {
    console.error = orig;
  }
  assert.equal(canvas.drawn.length, 0); // not half a frame either
  assert.equal(model.sent.at(-1).type, "error");
});

test("pointer events on the picture go to the kernel in picture pixels", async () => {
  const { canvas, model, cleanup } = await setup();
  canvas.listeners.click({ offsetX: 3, offsetY: 2 });
  canvas.listeners.mouseleave({});
  assert.deepEqual(model.sent.slice(-2), [{ type: "click", x: 3, y: 2 }, { type: "leave" }]);
  cleanup();
  assert.equal(model.handlers["msg:custom"], undefined);
});
