// Alias kept only so branches written before the merge of the two formatting modules still build: the
// formatting code is in formatting.ts. Import './formatting.js' in new code; delete this file once no branch
// imports it.
export * from './formatting.js';
