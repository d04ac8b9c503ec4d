// Times onnxruntime-node on the exported benchmark models.
//
// Usage: node ort_bench.js MODELDIR OUTDIR WARMUP RUNS THREADS name...
//
// For each model it loads MODELDIR/<name>.onnx on the CPU execution provider
// (intraOpNumThreads = THREADS, interOpNumThreads = 1, sequential execution,
// all graph optimisations), runs WARMUP untimed inferences on
// MODELDIR/<name>.input.bin, then RUNS timed ones, and writes
// OUTDIR/<name>.ort.bin (the output, float32 little-endian) and
// OUTDIR/<name>.ort.json ({"times_ms": [...], "cpu_ms": [...], ...}).
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [modelDir, outDir, warmupS, runsS, threadsS, ...names] = process.argv.slice(2);
  const warmup = Number(warmupS), runs = Number(runsS), threads = Number(threadsS);
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const session = await ort.InferenceSession.create(path.join(modelDir, name + '.onnx'), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const buf = fs.readFileSync(path.join(modelDir, name + '.input.bin'));
    const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data.slice(), [1, 3, 224, 224]) };
    let out;
    for (let i = 0; i < warmup; i++) {
      out = await session.run(feeds);
    }
    const times = [], cpu = [];
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      out = await session.run(feeds);
      const t1 = process.hrtime.bigint();
      const c1 = process.cpuUsage(c0);
      times.push(Number(t1 - t0) / 1e6);
      cpu.push((c1.user + c1.system) / 1e3);
    }
    const y = out[session.outputNames[0]].data;
    fs.writeFileSync(path.join(outDir, name + '.ort.bin'), Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    fs.writeFileSync(path.join(outDir, name + '.ort.json'), JSON.stringify({
      runtime: 'onnxruntime-node ' + require('onnxruntime-node/package.json').version,
      threads, warmup, times_ms: times, cpu_ms: cpu,
    }));
    await session.release();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
