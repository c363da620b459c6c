// The `cloudfront` module of runtime 2.0 ("Helper methods for key value stores"): `cf.kvs()` reads the
// store the manifest ties to the function, from its data file.
import harness from 'cfp_harness';

export default {kvs: harness.kvs};
