/** The hand-written gradients of mm and gatherRows against tfjs's own. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend, tf } from "../src/index.js";
import { gatherRows, mm } from "../src/ops.js";

before(async () => {
  await initBackend({ quiet: true });
});

function maxErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test("mm's gradients equal tfjs matMul's, for narrow and wide right operands", () => {
  for (const [m, k, n] of [[7, 5, 3], [6, 4, 40]]) {
    const a = tf.randomNormal([m, k], 0, 1, "float32", 1) as tf.Tensor2D;
    const b = tf.randomNormal([k, n], 0, 1, "float32", 2) as tf.Tensor2D;
    const w = tf.randomNormal([m, n], 0, 1, "float32", 3);
    const loss = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), w));
    const [ga, gb] = tf.grads(loss(mm))([a, b]);
    const [ra, rb] = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
    assert.ok(maxErr(ga, ra) < 1e-5 && maxErr(gb, rb) < 1e-5, `${m}x${k}x${n}`);
    tf.dispose([a, b, w, ga, gb, ra, rb]);
  }
});

test("gatherRows' gradient adds up repeated rows like tf.gather's", () => {
  const table = tf.randomNormal([6, 4], 0, 1, "float32", 4) as tf.Tensor2D;
  const idx = tf.tensor1d([1, 3, 1, 0, 5, 1], "int32");
  const w = tf.randomNormal([6, 4], 0, 1, "float32", 5);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), w)))(table);
  // Expected by hand: row r's gradient is the sum of w's rows where idx == r.
  const wv = w.arraySync() as number[][];
  const want = Array.from({ length: 6 }, () => [0, 0, 0, 0]);
  [1, 3, 1, 0, 5, 1].forEach((r, i) => wv[i].forEach((x, j) => (want[r][j] += x)));
  const got = g.arraySync() as number[][];
  for (let r = 0; r < 6; r++) for (let j = 0; j < 4; j++) assert.ok(Math.abs(got[r][j] - want[r][j]) < 1e-5);
  tf.dispose([table, idx, w, g]);
});
