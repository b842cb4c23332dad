// The S3-compatible server of the S3 artifact store's tests (@20minutes/s3rver, an npm devDependency), run as
// its own process: `node test/support/cjs/s3rver.cjs <data directory> <bucket>...` makes the buckets, listens
// on a free 127.0.0.1 port and prints `s3rver listening on <port>`. (Buckets are made here: s3rver checks the
// signature of the SDK's CreateBucket, whose path ends in '/', against the path without it.)
'use strict';
const S3rver = require('@20minutes/s3rver');

new S3rver({ directory: process.argv[2], address: '127.0.0.1', port: 0, silent: true, configureBuckets: process.argv.slice(3).map((name) => ({ name, configs: [] })) })
  .run()
  .then(({ port }) => console.log(`s3rver listening on ${port}`))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
