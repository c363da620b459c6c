'use strict';
// Runs one CloudFront Function for TestFunction, in the runtime it names.
// stdin:  {"code": "...", "runtime": "cloudfront-js-2.0", "event": {...}, "kvs": {"key": "value"}}
// stdout: {"output": "{\"request\": ...}" | null, "error": "TypeError: ..." | null, "logs": [...],
//          "cpuMs": N, "referenceMs": N}
// The code runs in a fresh vm context holding only what the runtime's page documents: no require
// beyond its built-in modules, no timers, network, files or eval, and no Intl, Proxy, Reflect or
// WebAssembly. Node runs with --jitless, an interpreter as CloudFront's engine is. `cpuMs` is the CPU
// time the function took, less the cost of compiling and calling an empty handler; `referenceMs` is
// the CPU time of a fixed reference loop on this machine; the Python side turns both into
// ComputeUtilization, so the figure does not depend on how fast the machine is.

const vm = require('node:vm');
const fs = require('node:fs');
const nodeCrypto = require('node:crypto');
const querystring = require('node:querystring');

const V10 = 'cloudfront-js-1.0';
const FILENAME = 'cloudfront-function.js';
const HARD_STOP_MS = 1000; // wall clock: an endless loop is stopped here, with an error
const TIMEOUT_MESSAGE = 'The function exceeded the maximum allowed compute time.';
const LOG_LIMIT_BYTES = 10 * 1024; // "Function logs in CloudFront Functions are truncated at 10 KB."
const TIMED_RUNS = 5; // the function and the references run this often; the fastest run counts
const REFERENCE = 'function handler(e) { var s = 0; for (var i = 0; i < 40000; i++) { s += i; } return e; }';
// Built-ins of a V8 context that neither runtime page lists among its objects and globals.
const UNLISTED_GLOBALS = ['Intl', 'Proxy', 'Reflect', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'WeakRef',
  'FinalizationRegistry'];

// hash.digest() / hmac.digest() without an encoding: a byte string in 1.0, a Buffer in 2.0
// ("JavaScript runtime features for CloudFront Functions").
function cryptoModule(runtime) {
  const wrap = (inner) => ({
    update(data, encoding) { inner.update(data, encoding); return this; },
    digest(encoding) {
      if (encoding) return inner.digest(encoding);
      const bytes = inner.digest();
      return runtime === V10 ? bytes.toString('latin1') : bytes;
    },
  });
  return {
    createHash: (algorithm) => wrap(nodeCrypto.createHash(algorithm)),
    createHmac: (algorithm, key) => wrap(nodeCrypto.createHmac(algorithm, key)),
  };
}

function keyValueStore(data) {
  const handle = {
    async get(key, options) {
      if (!Object.prototype.hasOwnProperty.call(data, key)) throw new Error(`Key not found: ${key}`);
      const value = data[key];
      return options && options.format === 'json' ? JSON.parse(value) : value;
    },
    async exists(key) { return Object.prototype.hasOwnProperty.call(data, key); },
    async meta() { return { keyCount: Object.keys(data).length }; },
  };
  return { kvs: () => handle };
}

// The "Built-in modules" of each runtime page; `cloudfront` is 2.0's KeyValueStore module.
function builtInModules(input) {
  const modules = { crypto: cryptoModule(input.runtime), querystring };
  if (input.runtime === V10) return modules;
  return { ...modules, buffer: { Buffer }, cloudfront: keyValueStore(input.kvs || {}) };
}

// Runtime 2.0 resolves `import x from 'module'` itself; a vm script cannot, so the import becomes a
// plain binding. Runtime 1.0 never gets here with an import: the language check refuses it first.
// The directive goes on the code's first line, so that line numbers stay the code's own: functions
// always run in strict mode, where an implicit global (`req = event.request`) is a ReferenceError.
function prepare(code, runtime) {
  if (runtime === V10) return `'use strict';${code}`;
  const imports = /^([ \t]*)import[ \t]+([A-Za-z_$][\w$]*)[ \t]+from[ \t]+(['"])(cloudfront|crypto|querystring|buffer)\3[ \t]*;?/gm;
  return `'use strict';${code.replace(imports, (_, indent, name, q, mod) => `${indent}const ${name} = __modules[${q}${mod}${q}];`)}`;
}

// Runtime 1.0's non-standard String methods, on byte strings (one character per byte, 0..255).
function byteStringMethods() {
  const isBytes = (s) => !/[^\x00-\xff]/.test(s);
  return {
    toUTF8(start, end) { return Buffer.from(this.slice(start, end), 'utf8').toString('latin1'); },
    toBytes(start, end) { const s = this.slice(start, end); return isBytes(s) ? s : null; },
    fromBytes(start, end) { const s = this.slice(start, end); return isBytes(s) ? s : null; },
    fromUTF8(start, end) {
      const s = this.slice(start, end);
      if (!isBytes(s)) return null;
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'latin1'));
      } catch {
        return null;
      }
    },
  };
}

function bytesFrom(source, encoding) {
  if (Array.isArray(source)) return String.fromCharCode(...source.map((octet) => octet & 0xff));
  return Buffer.from(String(source), encoding || 'utf8').toString('latin1');
}

function logger(logs) {
  let used = 0;
  const show = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
  return (...args) => {
    if (used >= LOG_LIMIT_BYTES) return;
    let line = Buffer.from(args.map(show).join(' '), 'utf8');
    line = line.subarray(0, LOG_LIMIT_BYTES - used);
    used += line.length;
    logs.push(line.toString('utf8'));
  };
}

function sandbox(input, logs) {
  const modules = builtInModules(input);
  const globals = {
    console: { log: logger(logs) },
    require: (name) => {
      if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
      throw new Error(`Cannot find module '${name}'`);
    },
    __modules: modules,
    __eventJson: JSON.stringify(input.event),
  };
  if (input.runtime !== V10) globals.Buffer = Buffer;
  const context = vm.createContext(globals, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(UNLISTED_GLOBALS.map((name) => `delete globalThis.${name};`).join(''), context);
  if (input.runtime === V10) {
    const string = vm.runInContext('String', context);
    for (const [name, method] of Object.entries(byteStringMethods())) {
      Object.defineProperty(string.prototype, name, { value: method, writable: true, configurable: true });
    }
    Object.defineProperty(string, 'bytesFrom', { value: bytesFrom, writable: true, configurable: true });
  }
  return context;
}

// A viewer-request function returns the request, or a response (it has a statusCode) to answer at once.
function wrap(result, eventType) {
  if (result === null || typeof result !== 'object') {
    throw new Error(`The function returned an invalid value: ${String(result)}`);
  }
  const isResponse = eventType === 'viewer-response' || 'statusCode' in result;
  return JSON.stringify(isResponse ? { response: result } : { request: result });
}

function describe(err) {
  if (err && err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return TIMEOUT_MESSAGE;
  if (err && typeof err === 'object' && 'message' in err) return `${err.name || 'Error'}: ${err.message}`;
  return `Error: ${String(err)}`;
}

async function call(code, context) {
  new vm.Script(code, { filename: FILENAME }).runInContext(context, { timeout: HARD_STOP_MS });
  const handler = new vm.Script('handler(JSON.parse(__eventJson))', { filename: 'harness-call.js' });
  return handler.runInContext(context, { timeout: HARD_STOP_MS });
}

function cpuMs(since) {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

// CPU time of compiling and calling `code`, each time in a context of its own; the smallest of a
// few runs, which leaves out most of what other processes on the machine cost this one.
async function timeOf(code, input, runs) {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const context = sandbox({ ...input, code }, []);
    const start = process.cpuUsage();
    try {
      await call(code, context);
    } catch {
      // the run that counts reports errors; a repeat only measures
    }
    best = Math.min(best, cpuMs(start));
  }
  return best;
}

async function main() {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const baseline = await timeOf('function handler(e) { return e; }', input, TIMED_RUNS);
  const referenceMs = (await timeOf(REFERENCE, input, TIMED_RUNS)) - baseline;
  const logs = [];
  const context = sandbox(input, logs);
  const reply = { output: null, error: null, logs, referenceMs };
  const code = prepare(input.code, input.runtime);
  const start = process.cpuUsage();
  try {
    const result = await call(code, context);
    reply.output = wrap(result, ((input.event || {}).context || {}).eventType || 'viewer-request');
  } catch (err) {
    reply.error = describe(err);
  }
  const first = cpuMs(start);
  // Repeats run in fresh contexts with their logs dropped; one already past twice the allowed time
  // (or stopped) is not run again: it scores 100 whatever the repeats say.
  const repeat = reply.error !== TIMEOUT_MESSAGE && first - baseline < 2 * referenceMs;
  const best = repeat ? Math.min(first, await timeOf(code, input, TIMED_RUNS - 1)) : first;
  reply.cpuMs = Math.max(0, best - baseline);
  process.stdout.write(JSON.stringify(reply));
}

main();
