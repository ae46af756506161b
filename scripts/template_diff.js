#!/usr/bin/env node
// What deploying one template over another does to each resource, by the CDK CLI's own diff engine
// (@aws-cdk/cloudformation-diff, pinned in package.json): its resource diff knows from the CloudFormation resource
// specification which property changes replace a resource. scripts/update_plan.py reads the result.
//
// Two refinements, both from CloudFormation's registry schemas (passed in by update_plan.py):
// - the engine decides per top-level property; where the schema names only parts of a property as create-only
//   (AWS::EKS::Cluster's KubernetesNetworkConfig/IpFamily, not its ElasticLoadBalancing), the schema decides;
// - a replaced resource gets a new physical id, so a property that refers to it changes too. The engine's
//   template-wide diff propagates that from its own verdicts; this script propagates from the refined ones.
//
// stdin:  {"pairs": [{"old": <template>, "new": <template>}, ...],
//          "createOnly": {"<resource type>": ["<Property>", "<Property>/<Sub>", ...], ...}}
// stdout: [{"<logical id>": {"type", "impact", "replacing": [<property>, ...]}, ...}, ...]  (changed resources only)
'use strict';
const { deepEqual } = require('@aws-cdk/cloudformation-diff');
const { diffResource } = require('@aws-cdk/cloudformation-diff/lib/diff');

const REPLACING = new Set(['WILL_REPLACE', 'MAY_REPLACE']);
const REPLACED_MARK = 'Replaced::NewPhysicalId';

function refersTo(value, replaced) {
  if (Array.isArray(value)) return value.map((item) => refersTo(item, replaced));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && replaced.has(value.Ref)) {
    return { Ref: value.Ref, [REPLACED_MARK]: true };
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const target = Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : String(value['Fn::GetAtt']).split('.')[0];
    if (replaced.has(target)) return { 'Fn::GetAtt': value['Fn::GetAtt'], [REPLACED_MARK]: true };
  }
  return Object.fromEntries(keys.map((key) => [key, refersTo(value[key], replaced)]));
}

function at(value, parts) {
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[part];
  }
  return value;
}

// Whether a change of `property` replaces the resource: the schema's word where it has one for the type.
function replaces(type, property, before, after, createOnly) {
  const paths = createOnly[type];
  if (!paths) return true;
  if (paths.includes(property)) return true;
  return paths
    .filter((path) => path.startsWith(`${property}/`))
    .map((path) => path.split('/*')[0].split('/'))
    .some((parts) => !deepEqual(at(before, parts), at(after, parts)));
}

function resourceChange(logicalId, before, after, createOnly) {
  const change = diffResource(before, after, logicalId);
  const type = change.newResourceType || change.oldResourceType;
  const replacing = [];
  change.forEachDifference((kind, name, difference) => {
    if (kind === 'Property' && REPLACING.has(difference.changeImpact)
        && replaces(type, name, (before || {}).Properties || {}, (after || {}).Properties || {}, createOnly)) {
      replacing.push(name);
    }
  });
  let impact = change.changeImpact;
  if (REPLACING.has(impact) && replacing.length === 0) impact = 'WILL_UPDATE';
  return { type, impact, replacing: replacing.sort() };
}

function resourceChanges(oldTemplate, newTemplate, createOnly) {
  const oldResources = oldTemplate.Resources || {};
  const ids = [...new Set([...Object.keys(newTemplate.Resources || {}), ...Object.keys(oldResources)])];
  let replaced = new Set();
  for (;;) {
    const marked = refersTo(newTemplate.Resources || {}, replaced);
    const changes = {};
    for (const id of ids) {
      if (deepEqual(oldResources[id], marked[id])) continue;
      changes[id] = resourceChange(id, oldResources[id], marked[id], createOnly);
    }
    const now = Object.keys(changes).filter((id) => REPLACING.has(changes[id].impact));
    if (now.every((id) => replaced.has(id))) return changes;
    replaced = new Set([...replaced, ...now]);
  }
}

const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.pairs.map((pair) => resourceChanges(pair.old, pair.new, input.createOnly || {}))));
