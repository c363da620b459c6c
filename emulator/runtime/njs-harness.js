// TestFunction in njs: the module `emu_harness`, imported on the first line of the function's code.
// Importing it shapes the global object like the runtime in `emu_input` before any of the code runs:
// no timers, `process`, `print` or WebCrypto global; `require` only for the runtime's built-in modules;
// 1.0 without Buffer, atob, btoa, and with byte-string digests; 2.0 without the String byte methods.
// Each console.log line goes out at once as {"log": "..."} (so a run stopped for its time keeps its
// logs), cut at 10 KB in all; the last line is {"output": "..." | null, "error": "..." | null,
// "ms": N}, N the wall-clock milliseconds of the first call (whole ones: Date.now), which only sizes
// a measuring run.
import input from 'emu_input';

var V10 = 'cloudfront-js-1.0';
var LIMIT = 10240;
var write = console.log;
var load = require;
var Bytes = Buffer;
var has = Object.prototype.hasOwnProperty;
var used = 0;
var measuring = false;

console.log = function () {
    if (measuring || used >= LIMIT) {
        return;
    }
    var text = Array.prototype.map.call(arguments, function (v) {
        return typeof v === 'string' ? v : JSON.stringify(v);
    }).join(' ');
    var bytes = Bytes.from(text).subarray(0, LIMIT - used);
    used += bytes.length;
    write('\n' + JSON.stringify({log: bytes.toString()}));
};

function asBytes(buffer) {
    var s = '';
    for (var i = 0; i < buffer.length; i++) {
        s += String.fromCharCode(buffer[i]);
    }
    return s;
}

function legacyCrypto() {
    var crypto = load('crypto');
    var wrap = function (inner) {
        return {
            update: function (data, encoding) { inner.update(data, encoding); return this; },
            digest: function (encoding) { return encoding ? inner.digest(encoding) : asBytes(inner.digest()); }
        };
    };
    return {
        createHash: function (name) { return wrap(crypto.createHash(name)); },
        createHmac: function (name, key) { return wrap(crypto.createHmac(name, key)); }
    };
}

function store() {
    var data = input.kvs || {};
    return {
        get: function (key, options) {
            if (!has.call(data, key)) {
                return Promise.reject(new Error('Key not found: ' + key));
            }
            var format = options && options.format;
            return Promise.resolve(format === 'json' ? JSON.parse(data[key])
                : format === 'bytes' ? Bytes.from(data[key]) : data[key]);
        },
        exists: function (key) { return Promise.resolve(has.call(data, key)); },
        meta: function () { return Promise.resolve({keyCount: Object.keys(data).length}); }
    };
}

var modules = input.runtime === V10
    ? {crypto: legacyCrypto(), querystring: load('querystring')}
    : {crypto: load('crypto'), querystring: load('querystring'), buffer: load('buffer'), cloudfront: {kvs: store}};

globalThis.require = function (name) {
    if (has.call(modules, name)) {
        return modules[name];
    }
    throw new Error("Cannot find module '" + name + "'");
};
['setTimeout', 'setImmediate', 'clearTimeout', 'process', 'print', '$262', 'crypto'].forEach(function (name) {
    delete globalThis[name];
});
if (input.runtime === V10) {
    delete globalThis.Buffer;
    delete globalThis.atob;
    delete globalThis.btoa;
} else {
    delete String.bytesFrom;
    ['fromBytes', 'fromUTF8', 'toBytes', 'toUTF8'].forEach(function (name) { delete String.prototype[name]; });
}

function message(err) {
    // njs throws a frozen MemoryError; adding its stack throws a TypeError (and eval's error is an
    // instance of MemoryError, so the name is what tells)
    if (err !== null && typeof err === 'object' && (err.name === 'MemoryError' || (err instanceof TypeError && err.message === 'Cannot add property "stack", object is not extensible'))) {
        return 'MemoryError';
    }
    if (err !== null && typeof err === 'object' && 'message' in err) {
        return (err.name || 'Error') + (err.message ? ': ' + err.message : '');
    }
    return 'Error: ' + String(err);
}

var handlerCall = null;
var firstMs = 0;

// A measuring run (`repeat` > 0) calls the handler that many times more, on fresh copies of the
// event, its logs dropped: the emulator reads the process's CPU time and subtracts an answering
// run's, so that the process's start-up is in neither figure.
function repeats() {
    measuring = true;
    for (var i = 0; handlerCall !== null && i < (input.repeat || 0); i++) {
        try {
            var result = handlerCall(JSON.parse(JSON.stringify(input.event)));
            if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
                result.then(null, function () {});
            }
        } catch (err) {
            // a repeat only measures
        }
    }
    measuring = false;
}

function end(output, error) {
    repeats();
    write('\n' + JSON.stringify({output: output, error: error, ms: firstMs}));
}

function run(call) {
    var result;
    var start = Date.now();
    try {
        result = call(input.event);
        firstMs = Date.now() - start;
        handlerCall = call;
    } catch (err) {
        end(null, message(err));
        return;
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        result.then(answer, function (err) { end(null, message(err)); });
    } else {
        answer(result);
    }
}

function answer(result) {
    if (result === null || typeof result !== 'object') {
        end(null, 'Error: The function returned an invalid value: ' + String(result));
        return;
    }
    var response = input.eventType === 'viewer-response' || 'statusCode' in result;
    end(JSON.stringify(response ? {response: result} : {request: result}), null);
}

export default {run: run, kvs: store};
