'use strict';
// Runs one CloudFront Function for TestFunction.
// stdin:  {"code": "...", "runtime": "cloudfront-js-2.0", "event": {...}, "kvs": {"key": "value"}}
// stdout: {"output": "{\"request\": ...}" | null, "error": "TypeError: ..." | null, "logs": [...], "blocks": N}
// The code runs in a fresh vm context with none of node's globals: no require beyond the modules
// CloudFront offers, no timers, no network or files, no eval. `blocks` counts the code blocks the
// function executed (V8 precise coverage); the Python side turns it into ComputeUtilization.

const inspector = require('node:inspector');
const vm = require('node:vm');
const fs = require('node:fs');

const FILENAME = 'cloudfront-function.js';
const SYNC_TIMEOUT_MS = 1000;
const TIMEOUT_MESSAGE = 'The function exceeded the maximum allowed compute time.';
const BUILTINS = { crypto: require('node:crypto'), querystring: require('node:querystring') };

// Precise coverage gives exact, deterministic execution counts per block, loop bodies included.
function startCoverage() {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => {
    let answer;
    let failure;
    session.post(method, params, (err, res) => { failure = err; answer = res; });
    if (failure) throw failure;
    return answer;
  };
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  return () => post('Profiler.takePreciseCoverage').result
    .filter((script) => script.url === FILENAME)
    .flatMap((script) => script.functions)
    .flatMap((fn) => fn.ranges)
    .reduce((sum, range) => sum + range.count, 0);
}

// Runtime 2.0 resolves `import cf from 'cloudfront'` itself; a vm script cannot, so the import
// becomes a plain binding. Runtime 1.0 keeps the statement and fails as CloudFront does.
// `export` is left alone: it is a SyntaxError in a script, as it is in CloudFront.
function prepare(code, runtime) {
  if (runtime !== 'cloudfront-js-2.0') return code;
  const imports = /^([ \t]*)import[ \t]+([A-Za-z_$][\w$]*)[ \t]+from[ \t]+(['"])(cloudfront|crypto|querystring)\3[ \t]*;?/gm;
  return code.replace(imports, (_, indent, name, q, mod) => `${indent}const ${name} = __modules[${q}${mod}${q}];`);
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

function sandbox(input, logs) {
  const modules = { ...BUILTINS, cloudfront: keyValueStore(input.kvs || {}) };
  const show = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
  const globals = {
    console: { log: (...args) => logs.push(args.map(show).join(' ')) },
    require: (name) => {
      if (name in BUILTINS) return BUILTINS[name];
      throw new Error(`Cannot find module '${name}'`);
    },
    __modules: modules,
    __eventJson: JSON.stringify(input.event),
  };
  if (input.runtime === 'cloudfront-js-2.0') globals.Buffer = Buffer;
  return vm.createContext(globals, { codeGeneration: { strings: false, wasm: false } });
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

async function run(input, context) {
  new vm.Script(prepare(input.code, input.runtime), { filename: FILENAME })
    .runInContext(context, { timeout: SYNC_TIMEOUT_MS });
  const call = new vm.Script('handler(JSON.parse(__eventJson))', { filename: 'harness-call.js' });
  const result = await call.runInContext(context, { timeout: SYNC_TIMEOUT_MS });
  const eventType = ((input.event || {}).context || {}).eventType || 'viewer-request';
  return wrap(result, eventType);
}

async function main() {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const logs = [];
  const context = sandbox(input, logs);
  const blocks = startCoverage();
  const reply = { output: null, error: null, logs };
  try {
    reply.output = await run(input, context);
  } catch (err) {
    reply.error = describe(err);
  }
  reply.blocks = blocks();
  process.stdout.write(JSON.stringify(reply));
}

main();
