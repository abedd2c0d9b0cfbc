#!/usr/bin/env node
// An independent check of certledger's credentials with Digital Bazaar's JavaScript VC stack
// (@digitalbazaar/vc, data-integrity, eddsa-jcs-2022-cryptosuite, vc-bitstring-status-list):
// code nobody on this project wrote. Nothing is fetched: the JSON-LD contexts come from the
// packages, the DID document and the status list from the files given.
//
//   node verify.js --did did.json [--status-list list.json] CREDENTIAL.json...
//
// Prints one JSON line per credential: {file, verified, revoked, error}. Exit 0 if every
// credential verifies and none is revoked; 1 otherwise; 2 for bad usage.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';

const require = createRequire(import.meta.url);
const dataIntegrityContext = require('@digitalbazaar/data-integrity-context');
const multikeyContext = require('@digitalbazaar/multikey-context');

function usage(message) {
  process.stderr.write(`vc-verifier: ${message}\n` +
    'usage: node verify.js --did did.json [--status-list list.json] CREDENTIAL.json...\n');
  process.exit(2);
}

const args = process.argv.slice(2);
let didPath, listPath;
const files = [];
for(let i = 0; i < args.length; i++) {
  if(args[i] === '--did') {
    didPath = args[++i];
  } else if(args[i] === '--status-list') {
    listPath = args[++i];
  } else {
    files.push(args[i]);
  }
}
if(!didPath || files.length === 0) {
  usage('give --did and at least one credential');
}

const readJson = path => JSON.parse(readFileSync(path, 'utf8'));
const didDocument = readJson(didPath);
const statusList = listPath ? readJson(listPath) : null;

// Every document the verifier may ask for, and nothing else: a URL not here is refused.
const documents = new Map();
for(const [url, context] of credentialsContexts) {
  documents.set(url, context);
}
for(const map of [dataIntegrityContext.contexts, multikeyContext.contexts]) {
  for(const [url, context] of map) {
    documents.set(url, context);
  }
}
documents.set(didDocument.id, didDocument);
for(const method of didDocument.verificationMethod || []) {
  // a verification method is dereferenced on its own, with the DID document's context
  documents.set(method.id, {'@context': didDocument['@context'], ...method});
}
if(statusList) {
  documents.set(statusList.id, statusList);
}

async function documentLoader(url) {
  const document = documents.get(url);
  if(document === undefined) {
    throw new Error(`document ${url} is not available offline`);
  }
  return {contextUrl: null, documentUrl: url, document};
}

const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});

function reason(error) {
  if(!error) {
    return null;
  }
  const errors = Array.isArray(error) ? error : (error.errors || [error]);
  return errors.map(e => e.message || String(e)).join('; ');
}

let failed = false;
for(const file of files) {
  const line = {file, verified: false, revoked: null, error: null};
  try {
    const credential = readJson(file);
    const options = {credential, suite, documentLoader};
    if(statusList) {
      options.checkStatus = checkStatus;
    } else {
      // Without a list the status is not checked: say so rather than guess.
      options.checkStatus = async () => ({verified: true, results: []});
    }
    const result = await vc.verifyCredential(options);
    line.verified = result.verified;
    if(!result.verified) {
      line.error = reason(result.error) ||
        reason(result.statusResult && result.statusResult.error) || 'not verified';
    }
    const statuses = (result.statusResult && result.statusResult.results) || [];
    if(statusList && result.verified) {
      line.revoked = statuses.some(s => s.status === true);
    }
  } catch(e) {
    line.error = e.message;
  }
  if(!line.verified || line.revoked) {
    failed = true;
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}
process.exit(failed ? 1 : 0);
