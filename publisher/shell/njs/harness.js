// One CloudFront Function test case, in njs: the module `cfp_harness` of a local `test` run.
//
// The runner puts the function's code after `import __cloudfront_publish from "cfp_harness";` on
// its first line (so line numbers stay the code's own) and ends it with a call of `run`. Importing
// this module first shapes the global object like the runtime the case names, before any line of
// the function runs:
// - both runtimes: no timers, no `process`, no `print`, no WebCrypto global; `require` loads only the
//   runtime's built-in modules (1.0: crypto, querystring; 2.0 also buffer and cloudfront);
// - 1.0: no Buffer, atob or btoa (2.0 features); hash.digest() and hmac.digest() without an encoding
//   answer a byte string;
// - 2.0: no String.bytesFrom and no String.prototype fromBytes, fromUTF8, toBytes, toUTF8.
// Each console.log line goes to stdout at once, as {"log": "..."} (cut at 10 KB in all, as CloudFront
// cuts function logs), so a case stopped for its time keeps its logs; the answer is the last line:
// {"output": "{\"request\": ...}" | null, "error": "TypeError: ..." | null}.
import input from 'cfp_input';

var V10 = 'cloudfront-js-1.0';
var LOG_LIMIT_BYTES = 10240;
var own = Object.prototype.hasOwnProperty;
var answer = console.log;
var nativeRequire = require;
var Bytes = Buffer;
var logged = 0;

function show(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
}

function log() {
    if (logged >= LOG_LIMIT_BYTES) {
        return;
    }
    var line = Array.prototype.map.call(arguments, show).join(' ');
    var bytes = Bytes.from(line);
    if (logged + bytes.length > LOG_LIMIT_BYTES) {
        bytes = bytes.subarray(0, LOG_LIMIT_BYTES - logged);
    }
    logged += bytes.length;
    answer('\n' + JSON.stringify({log: bytes.toString()}));  // at once: a case stopped later keeps it
}

function byteString(buffer) {
    var chars = [];
    for (var i = 0; i < buffer.length; i++) {
        chars.push(String.fromCharCode(buffer[i]));
    }
    return chars.join('');
}

// hash.digest() / hmac.digest() with no encoding: a byte string in 1.0, a Buffer in 2.0.
function crypto10() {
    var crypto = nativeRequire('crypto');
    function wrap(inner) {
        return {
            update: function (data, encoding) { inner.update(data, encoding); return this; },
            digest: function (encoding) { return encoding ? inner.digest(encoding) : byteString(inner.digest()); }
        };
    }
    return {
        createHash: function (algorithm) { return wrap(crypto.createHash(algorithm)); },
        createHmac: function (algorithm, key) { return wrap(crypto.createHmac(algorithm, key)); }
    };
}

function keyValueStore() {
    var data = input.kvs;
    function has(key) {
        return data !== null && own.call(data, key);
    }
    return {
        get: function (key, options) {
            if (!has(key)) {
                return Promise.reject(new Error('Key not found: ' + key));
            }
            var format = options && options.format;
            var value = data[key];
            if (format === 'json') {
                return Promise.resolve(JSON.parse(value));
            }
            return Promise.resolve(format === 'bytes' ? Bytes.from(value) : value);
        },
        exists: function (key) { return Promise.resolve(has(key)); },
        meta: function () { return Promise.resolve({keyCount: data === null ? 0 : Object.keys(data).length}); }
    };
}

var cloudfront = {kvs: keyValueStore};

function modules() {
    if (input.runtime === V10) {
        return {crypto: crypto10(), querystring: nativeRequire('querystring')};
    }
    return {
        crypto: nativeRequire('crypto'),
        querystring: nativeRequire('querystring'),
        buffer: nativeRequire('buffer'),
        cloudfront: cloudfront
    };
}

function shape() {
    var builtIn = modules();
    var g = globalThis;
    console.log = log;
    g.require = function (name) {
        if (own.call(builtIn, name)) {
            return builtIn[name];
        }
        throw new Error("Cannot find module '" + name + "'");
    };
    ['setTimeout', 'setImmediate', 'clearTimeout', 'process', 'print', '$262', 'crypto'].forEach(function (name) {
        delete g[name];
    });
    if (input.runtime === V10) {
        ['Buffer', 'atob', 'btoa'].forEach(function (name) { delete g[name]; });
    } else {
        delete String.bytesFrom;
        ['fromBytes', 'fromUTF8', 'toBytes', 'toUTF8'].forEach(function (name) { delete String.prototype[name]; });
    }
}

// njs throws a frozen MemoryError when the data segment is full; adding its stack then throws this.
var OUT_OF_MEMORY = 'Cannot add property "stack", object is not extensible';

function describe(err) {
    if (err !== null && typeof err === 'object' && (err.name === 'MemoryError' || (err instanceof TypeError && err.message === OUT_OF_MEMORY))) {
        return 'MemoryError';
    }
    if (err !== null && typeof err === 'object' && 'message' in err) {
        return (err.name || 'Error') + (err.message ? ': ' + err.message : '');
    }
    return 'Error: ' + String(err);
}

// On a line of its own: njs writes its deprecation notices to stdout, with no line break after them.
function finish(output, error) {
    answer('\n' + JSON.stringify({output: output, error: error}));
}

// A viewer-request function returns the request, or a response (it has a statusCode) to answer at once.
function settle(result) {
    if (result === null || typeof result !== 'object') {
        finish(null, 'Error: The function returned an invalid value: ' + String(result));
        return;
    }
    var response = input.eventType === 'viewer-response' || 'statusCode' in result;
    finish(JSON.stringify(response ? {response: result} : {request: result}), null);
}

function run(call) {
    var result;
    try {
        result = call(input.event);
    } catch (err) {
        finish(null, describe(err));
        return;
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        result.then(settle, function (err) { finish(null, describe(err)); });
        return;
    }
    settle(result);
}

shape();

export default {run: run, kvs: keyValueStore};
