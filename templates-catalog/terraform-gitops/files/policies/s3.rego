# Policies the terraform-gitops pipeline checks every plan against (conftest, Rego v1), rendered
# by Paved from terraform-gitops [[ template.version ]]. The input is `terraform show -json tfplan`.
package terraform.s3

import rego.v1

created_or_updated(rc) if {
	some action in rc.change.actions
	action in {"create", "update"}
}

# Every bucket must block public access.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_s3_bucket_public_access_block"
	created_or_updated(rc)
	some setting in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]
	rc.change.after[setting] != true
	msg := sprintf("%s: %s must be true", [rc.address, setting])
}

# Every bucket must have a public access block in the same configuration.
deny contains msg if {
	some bucket in input.resource_changes
	bucket.type == "aws_s3_bucket"
	created_or_updated(bucket)
	not has_public_access_block(bucket.name)
	msg := sprintf("%s has no aws_s3_bucket_public_access_block", [bucket.address])
}

has_public_access_block(name) if {
	some rc in input.resource_changes
	rc.type == "aws_s3_bucket_public_access_block"
	rc.name == name
}

# Nothing is destroyed without a person looking: destroys need a plan reviewed outside this check.
warn contains msg if {
	some rc in input.resource_changes
	"delete" in rc.change.actions
	msg := sprintf("%s will be destroyed", [rc.address])
}
