// Alias kept only so branches written before the merge of the two API clients still build: the client is in
// api-client.ts. Import './api-client.js' in new code; delete this file once no branch imports it.
export * from './api-client.js';
