// Runtime 2.0's `cloudfront` module: `cf.kvs()` reads the KeyValueStore associated with the function.
import harness from 'emu_harness';

export default {kvs: harness.kvs};
