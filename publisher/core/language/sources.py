"""The public pages every rule of the runtime check rests on; each rule names one of them."""

from __future__ import annotations

_GUIDE = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"

# "JavaScript runtime 1.0 features for CloudFront Functions": ES 5.1 plus the features it lists;
# "The const and let statements are not supported"; crypto and querystring as built-in modules;
# the String byte methods; "Restricted features" (dynamic code, timers, file system, network).
RUNTIME_10 = _GUIDE + "functions-javascript-runtime-10.html"

# "JavaScript runtime 2.0 features for CloudFront Functions": adds const, let, async and await
# ("await can be used inside async functions only. async arguments and closures are not
# supported"), the Buffer module; the same restricted features as 1.0.
RUNTIME_20 = _GUIDE + "functions-javascript-runtime-20.html"

# "JavaScript runtime features for CloudFront Functions": what changes from 1.0 to 2.0 (Buffer
# added; bytesFrom, fromBytes, fromUTF8, toBytes, toUTF8 removed; digest() returns a Buffer).
RUNTIME_CHANGES = _GUIDE + "functions-javascript-runtime-features.html"

# "Helper methods for key value stores": `import cf from 'cloudfront'`, runtime 2.0 only.
KVS_HELPERS = _GUIDE + "functions-custom-methods.html"

# "Restrictions on CloudFront Functions": "does not support dynamic code evaluation, and it
# restricts access to the network, file system, and timers"; function logs truncated at 10 KB.
RESTRICTIONS = _GUIDE + "cloudfront-function-restrictions.html"

RUNTIME_PAGES = {"cloudfront-js-1.0": RUNTIME_10, "cloudfront-js-2.0": RUNTIME_20}
