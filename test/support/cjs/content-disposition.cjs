// Jest on Node 20 cannot require() an ES module; @fastify/static requires content-disposition 3, which is
// ESM-only. Under Jest only, serve it from the CommonJS 0.5 release, whose create/parse behave the same.
const contentDisposition = require('content-disposition-v0');
module.exports = { create: contentDisposition, parse: contentDisposition.parse };
