// Independent oracle: runs ONNX models with onnxruntime-node and compares
// its outputs with arrays written by optrun (and PyTorch).
//
//   node scripts/ort_oracle.js CASES.json
//
// CASES.json is a list of {"model", "inputs": {name: file.npy},
// "expect": {output: file.npy}, "tol", "refuse"}: "tol" bounds
// max |ort - expected| / (1 + max |expected|); with "refuse": "TEXT" the
// model must fail to load with an error containing TEXT. Prints one line
// per case and a closing "N passed, N failed" line; exits 1 on a failure.
// onnxruntime-node is found on NODE_PATH (see .ci/run).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

// readNpy parses a little-endian C-order .npy file (version 1-3).
function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(path + ': not a .npy file');
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(path + ': Fortran order');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const data = buf.subarray(hstart + hlen);
  const copy = (T) => new T(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  const types = { '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array], '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array] };
  if (!types[descr]) throw new Error(path + ': unsupported dtype ' + descr);
  const [type, T] = types[descr];
  return new ort.Tensor(type, copy(T), shape);
}

function maxRel(got, want) {
  if (got.dims.join(',') !== want.dims.join(',')) return { err: 'shape ' + got.dims + ' vs ' + want.dims };
  let d = 0, m = 0;
  for (let i = 0; i < want.data.length; i++) {
    const a = Number(got.data[i]), b = Number(want.data[i]);
    d = Math.max(d, Math.abs(a - b));
    m = Math.max(m, Math.abs(b));
    if (Number.isNaN(a - b)) d = Infinity;
  }
  return { diff: d, scale: m };
}

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  let passed = 0, failed = 0;
  for (const c of cases) {
    let line;
    try {
      let sess;
      try {
        sess = await ort.InferenceSession.create(c.model, { graphOptimizationLevel: 'disabled' });
      } catch (e) {
        if (c.refuse && String(e.message).includes(c.refuse)) {
          passed++;
          console.log('ok   ' + c.model + ': refused as expected (' + String(e.message).split('\n')[0].slice(0, 160) + ')');
          continue;
        }
        throw e;
      }
      if (c.refuse) throw new Error('loaded, but should have been refused (' + c.refuse + ')');
      const feeds = {};
      for (const [k, f] of Object.entries(c.inputs)) feeds[k] = readNpy(f);
      const out = await sess.run(feeds);
      const parts = [];
      let ok = true;
      for (const [k, f] of Object.entries(c.expect)) {
        const r = maxRel(out[k], readNpy(f));
        if (r.err) { ok = false; parts.push(k + ': ' + r.err); continue; }
        const rel = r.diff / (1 + r.scale);
        if (!(rel <= c.tol)) ok = false;
        parts.push(k + ' vs ' + f.split('/').slice(-2).join('/') + ': max |ort - expected| ' + r.diff.toExponential(2));
      }
      line = (ok ? 'ok   ' : 'FAIL ') + c.model + ': ' + parts.join('; ');
      ok ? passed++ : failed++;
    } catch (e) {
      failed++;
      line = 'FAIL ' + c.model + ': ' + String(e.message).split('\n')[0];
    }
    console.log(line);
  }
  console.log('ort ' + ort.env.versions.common + ': ' + passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
}

main().catch(e => { console.error(e); process.exit(1); });
