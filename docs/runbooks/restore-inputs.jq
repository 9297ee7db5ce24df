# Gives an imported Velero Restore the inputs the interrupted `pulumi up` declared for it, so the
# next preview sees no change instead of a replacement (which would run the restore again).
# interrupted-deployment.md runs it as:
#   jq --slurpfile before state-before-repair.json --arg name <restore> -f docs/runbooks/restore-inputs.jq state-imported.json
# $before: the state exported before the repair, whose pending create holds the declared inputs.
def restore_urn: endswith("$kubernetes:velero.io/v1:Restore::" + $name);

([$before[0].deployment.pending_operations // [] | .[] | select(.type == "creating" and (.resource.urn | restore_urn)) | .resource]) as $pending
| if ($pending | length) != 1 then error("state-before-repair.json has no pending create of Restore \($name): nothing to repair") else . end
| $pending[0] as $declared
| ([.deployment.resources[] | select(.urn == $declared.urn)]) as $imported
| if ($imported | length) != 1 or $imported[0].id == null then error("the state has no Restore \($name) under \($declared.parent): run the runbook's pulumi import first") else . end
| if $imported[0].outputs.spec.backupName != $declared.inputs.spec.backupName then
    error("Restore \($name) in the cluster restores \($imported[0].outputs.spec.backupName), the interrupted run declared \($declared.inputs.spec.backupName): stop, see the runbook's preview section")
  else . end
| .deployment.resources |= map(
    if .urn == $declared.urn
    # The Kubernetes provider diffs against its own copy of the inputs, kept in the outputs as __inputs.
    then .inputs = $declared.inputs | .outputs.__inputs = $declared.inputs
      | .dependencies = $declared.dependencies | .propertyDependencies = $declared.propertyDependencies
    else . end)
