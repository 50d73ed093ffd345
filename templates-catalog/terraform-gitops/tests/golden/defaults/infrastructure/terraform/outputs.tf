output "artifacts_bucket" {
  description = "Name of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.bucket
}

output "name_prefix" {
  description = "Prefix of every resource name (project-environment)."
  value       = local.name_prefix
}
