// Runs fhir-kit-client (npm, pinned in package-lock.json) against a medcodes FHIR base URL given as the
// first argument, and prints what each operation answered as one JSON object (tests/test_fhir_clients.py
// checks it). GET and POST forms of $lookup, $expand and $validate-code; $translate; an unknown code's error.
import { Client } from 'fhir-kit-client';

const CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const I9 = 'http://hl7.org/fhir/sid/icd-9-cm';
const client = new Client({ baseUrl: process.argv[2] });

const value = (parameters, name) => {
  const found = parameters.parameter.find((p) => p.name === name);
  return found && Object.entries(found).find(([key]) => key.startsWith('value'))[1];
};
const codes = (valueSet) => (valueSet.expansion.contains || []).map((c) => c.code);

const out = {};
out.capabilityStatement = (await client.capabilityStatement()).resourceType;
out.lookupGet = value(
  await client.operation({ resourceType: 'CodeSystem', name: '$lookup', method: 'GET', input: { system: CM, code: 'E11.9' } }),
  'display',
);
out.lookupPost = value(
  await client.operation({
    resourceType: 'CodeSystem',
    name: '$lookup',
    input: { resourceType: 'Parameters', parameter: [{ name: 'system', valueUri: CM }, { name: 'code', valueCode: 'E11.9' }] },
  }),
  'display',
);
out.expandGet = codes(
  await client.operation({
    resourceType: 'ValueSet',
    name: '$expand',
    method: 'GET',
    input: { url: `${CM}?fhir_vs`, filter: 'heart attack', count: 5 },
  }),
);
out.expandPost = codes(
  await client.operation({
    resourceType: 'ValueSet',
    name: '$expand',
    input: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: `${CM}?fhir_vs=isa/E11` },
        { name: 'count', valueInteger: 10 },
      ],
    },
  }),
);
out.validateGet = value(
  await client.operation({
    resourceType: 'ValueSet',
    name: '$validate-code',
    method: 'GET',
    input: { url: `${CM}?fhir_vs`, system: CM, code: 'E11.9' },
  }),
  'result',
);
out.validatePost = value(
  await client.operation({
    resourceType: 'CodeSystem',
    name: '$validate-code',
    input: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: CM }, { name: 'code', valueCode: 'E11.99' }] },
  }),
  'result',
);
const translated = await client.operation({
  resourceType: 'ConceptMap',
  name: '$translate',
  method: 'GET',
  input: { system: CM, code: 'E11.9', targetsystem: I9 },
});
out.translate = [
  ...new Set(
    translated.parameter
      .filter((p) => p.name === 'match')
      .map((m) => m.part.find((p) => p.name === 'concept').valueCoding.code),
  ),
];
try {
  await client.operation({ resourceType: 'CodeSystem', name: '$lookup', method: 'GET', input: { system: CM, code: 'E11.99' } });
  out.unknownStatus = 200;
} catch (error) {
  out.unknownStatus = error.response && error.response.status;
}
console.log(JSON.stringify(out));
